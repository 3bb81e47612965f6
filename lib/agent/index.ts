/** The agent module's public API: policies, the ReAct prompt and parser, the single-turn reward. */
export * from "./types";
export * from "./parse";
export * from "./prompt";
export * from "./example";
export * from "./react";
export * from "./endpoint";
export * from "./baselines";
