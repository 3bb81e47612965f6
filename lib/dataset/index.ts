/** The dataset module's public API: single-turn rows, where datasets live, their generation and the expert-action leak. */
export * from "./rows";
export * from "./paths";
export * from "./generate";
export * from "./leak";
