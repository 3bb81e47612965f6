/** The paper's qualitative findings the study tests, in words; summary.ts tests each one. */
export const CLAIMS = {
  ordering: "SFT+GRPO > SFT > reference in SR on each task",
  steps: "fewer steps per success after GRPO",
  transfer: "training on the hardest task (Robotouille: the double cheese burger) transfers to the simpler ones, not the other way round",
  "single-vs-multi": "single-turn GRPO vs multi-turn GRPO at equal samples",
} as const;
