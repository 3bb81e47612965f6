/** The evaluation module's public API: protocols, the episode runner, resumable evaluation, metrics, policies, single-turn accuracy. */
export * from "./protocol";
export * from "./metrics";
export * from "./episode";
export * from "./evaluate";
export * from "./singleturn";
