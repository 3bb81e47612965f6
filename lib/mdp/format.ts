/**
 * Display helpers for the theory notebooks: Markdown tables (shown with lib/viz `showMarkdown`) and
 * the "nines" scale of a probability near 1.
 */
import { parseLogProbability } from "./logodds";
import type { Rational } from "./rational";

/** A GitHub-flavoured Markdown table; cells are stringified, pipes escaped. */
export function markdownTable(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const cell = (x: unknown) => String(x).replace(/\|/g, "\\|").replace(/\n/g, " ");
  return [
    `| ${header.map(cell).join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ].join("\n");
}

/** −log10(1 − p) from a 1 − p string: how many leading nines p has (Infinity for "0"). */
export function ninesOf(oneMinusP: string): number {
  return oneMinusP === "0" ? Infinity : -parseLogProbability(oneMinusP) * Math.LOG10E;
}

/** "p/q (≈ 0.1234)" for a rational: exact, with its decimal beside it. */
export function showRational(r: Rational, digits = 4): string {
  return `${r.toString()} (≈ ${r.toNumber().toPrecision(digits)})`;
}
