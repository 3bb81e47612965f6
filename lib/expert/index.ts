/** The expert module's public API: the optimal planner, expert trajectories, the single-turn datasets. */
export * from "./recipe";
export * from "./heuristic";
export * from "./search";
export * from "./planner";
export * from "./reasoning";
export * from "./trajectory";
export * from "./dataset";
export * from "./leak";
export * from "./paths";
export * from "./statespace";
export * from "./generate";
export * from "./llm";
export * from "./study";
