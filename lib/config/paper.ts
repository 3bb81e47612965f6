/**
 * The values the paper states (Hu, Liu, Li, Wang, "Training Task Reasoning LLM Agents for Multi-turn
 * Task Planning via Single-turn Reinforcement Learning", arXiv 2509.20616), in one place, each with
 * where the paper gives it. Nothing here is a choice of ours: values the paper leaves open (G,
 * temperature, completion length, the SFT schedule, …) live where they are decided, with their reason
 * (trainer/configs/paper-*.yaml `open:`, lib/learn's defaults).
 *
 * test/paper-values.test.ts keeps the copies in agreement: trainer/configs/paper-{sft,grpo}.yaml as the
 * trainer reads them, the reward weights of lib/agent and trainer/reward.py, the tasks' limits and
 * evaluation seeds of lib/kitchen, and lib/learn's paper defaults.
 */
export const PAPER = {
  /** §4 (experiments), training: the policy is Qwen2.5-1.5B-Instruct, fine-tuned with SFT, then GRPO from the SFT model. */
  model: "Qwen/Qwen2.5-1.5B-Instruct",
  sft: {
    /** §4 (experiments), training: SFT on the expert trajectories for 8 epochs. */
    epochs: 8,
    /** §4 (experiments), training: SFT batch size 8. */
    batch: 8,
  },
  grpo: {
    /** §4 (experiments), training: GRPO on all expert (state, action) pairs for 50 epochs. */
    epochs: 50,
    /** §4 (experiments), training: batch size 256 (verl's unit: prompts, each sampled G times). */
    batchPrompts: 256,
    /** §4 (experiments), training: learning rate 1e-6. */
    learningRate: 1e-6,
    /** §4 (experiments), training: KL coefficient β = 0.001 (eq. 4–6's KL to π_ref). */
    beta: 0.001,
  },
  reward: {
    /** §4 (experiments), reward: 0.1 for the ReAct format ("Reasoning: …" then "Action: …"). */
    format: 0.1,
    /** §4 (experiments), reward: 0.9 for the correct action (Def 2.4's indicator 1{a = π^GT(s)}). */
    action: 0.9,
  },
  /** §4 (experiments), environment: Robotouille's synchronous tasks 0, 3, 4, 5 with the paper's "at most N steps" and evaluation timeouts (1.5 × N, rounded up). */
  tasks: {
    cheese_sandwich: { stepLimit: 10, timeout: 15 },
    burger: { stepLimit: 10, timeout: 15 },
    cheese_burger: { stepLimit: 15, timeout: 23 },
    double_cheese_burger: { stepLimit: 23, timeout: 35 },
  },
  evaluation: {
    /** §4 (experiments), evaluation: 10 unseen layouts per task, Robotouille's evaluation seeds 42, 84, …, 420. */
    seeds: [42, 84, 126, 168, 210, 252, 294, 336, 378, 420],
  },
  expert: {
    /** §4 (experiments), expert data: Llama3.3-70B-Instruct, rejection sampling. */
    model: "meta-llama/Llama-3.3-70B-Instruct",
    /** §4 (experiments), expert data: about 100 successful trajectories per task over varied layouts. */
    trajectoriesPerTask: 100,
  },
} as const;
