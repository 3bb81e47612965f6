/**
 * lib/report: the paper's Tables 1–4 and figures from episode JSONL (any profile), side by side with the
 * published numbers, plus an audit of the published tables. Reads eval results; uses lib/eval's metric
 * definitions, lib/env's task registry (names, order, timeouts) and lib/viz to render; the audit's
 * optimal-plan floor is passed in by the caller (lib/expert/optima.ts). danfojs is loaded on first use.
 *
 *   const { results, curves } = loadStudy("results/cpu");
 *   await writeReport(results, "paper-figures/cpu", { paper: loadPaperResults(), curves, optima: evaluationOptima() });
 */
export * from "./types";
export * from "./numbers";
export * from "./csv";
export * from "./paper";
export * from "./models";
export * from "./load";
export * from "./aggregate";
export * from "./grid";
export * from "./markup";
export * from "./compare";
export * from "./audit";
export * from "./curves";
export * from "./figures";
export * from "./write";
export * from "./study";
export * from "./roundtrip";
