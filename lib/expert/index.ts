/** The expert module's public API: the optimal planner, its reasoning, and the expert trajectory record. */
export * from "./recipe";
export * from "./heuristic";
export * from "./search";
export * from "./planner";
export * from "./reasoning";
export * from "./record";
export * from "./trajectory";
export * from "./statespace";
export * from "./experts";
export * from "./cookingworld";
export * from "./optima";
