/**
 * lib/mdp — the paper's theory (§2–3) on small MDPs, exactly: finite deterministic MDPs with rational
 * policies, minimal-step success by enumeration / Theorem 3.2's recursion / the product, subtasks,
 * Theorem 3.3; GRPO's per-state dynamics (Gibbs tilt, the log-odds success recursion, fixed points),
 * a finite-G tabular GRPO simulator, and the figures of notebooks 01–03. See notes/mdp.md.
 */
export * from "./rational";
export * from "./mdp";
export * from "./success";
export * from "./examples";
export * from "./describe";
export * from "./logodds";
export * from "./roots";
export * from "./recursion";
export * from "./tilt";
export * from "./grpoSim";
export * from "./amplify";
export * from "./theorems";
export * from "./studies";
export * from "./format";
export * from "./figures";
