/** The kitchen module's public API (see notes/kitchen-engine.md and the data side's notes). */
export * from "./layout";
export * from "./domain";
export * from "./engine";
export * from "./kitchen";
export * from "./observation";
export * from "./picture";
export * from "./tasks";
export * from "./pyrandom";
export * from "./generator";
export * from "./instantiate";
