/** The TS client of the Python trainer (notes/trainer.md): GPU check, training runs, serving. */
export * from "./gpu";
export * from "./run";
export * from "./serve";
export * from "./pipeline";
export * from "./steps";
