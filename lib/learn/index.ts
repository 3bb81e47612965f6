/**
 * lib/learn — the CPU-scale learners: a log-linear policy over identity-free text features of
 * (observation, action), trained by SFT, single-turn GRPO (the paper's recipe), trajectory-level
 * multi-turn GRPO (the sparse-reward baseline), GiGPO and on-policy single-turn GRPO, all counted in
 * sampled actions (samples.ts). See notes/learn.md.
 */
export * from "../util/rng";
export * from "./scene";
export * from "./features";
export * from "./model";
export * from "./data";
export * from "./checkpoint";
export * from "./sft";
export * from "./grpo";
export * from "./multiturn";
export * from "./gigpo";
export * from "./onpolicy";
export * from "./samples";
export * from "./policy";
export * from "./theory";
