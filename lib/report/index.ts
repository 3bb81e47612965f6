/**
 * lib/report: the paper's Tables 1–4 and figures from episode JSONL (any profile), side by side with the
 * published numbers, plus an audit of the published tables. Depends only on eval results (and lib/viz
 * for rendering); danfojs is loaded on first use.
 *
 *   const { results, curves } = loadStudy("results/cpu");
 *   await writeReport(results, "paper-figures/cpu", { paper: loadPaperResults(), curves });
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
export * from "./optima";
