/** The paper's qualitative findings the study tests (issue 7), in words; summary.ts tests each one. */
export const CLAIMS = {
  ordering: "SFT+GRPO > SFT > reference in SR on each task",
  steps: "fewer steps per success after GRPO",
  transfer: "training on the double cheese burger transfers to the three simpler tasks, not the other way round",
  "single-vs-multi": "single-turn GRPO vs multi-turn GRPO at equal samples",
} as const;
