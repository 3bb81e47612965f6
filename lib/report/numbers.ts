/**
 * How numbers look in the tables. The paper prints its cells with varying precision ("12.5", "8.67",
 * "15.0", and in the cross-task table "23" and "14"), so a printed cell is not a function of its value.
 * A published cell therefore keeps the decimals it was printed with (`Printed`), and formatting it
 * again gives back the same string; that is what makes the round trip through data/paper/*.csv exact.
 * Our own numbers follow one rule: at most `maxDecimals` decimals, trailing zeros dropped, at least one
 * decimal kept (15 → "15.0", 26/3 → "8.67", 0.3 → "0.3"), the paper's Table 1 style.
 */

/** The paper's "—": ASST when no episode succeeded. */
export const DASH = "—";

/** Decimals in a printed number: "12.5" → 1, "8.67" → 2, "23" → 0. */
export function decimalsOf(text: string): number {
  const t = text.trim();
  const dot = t.indexOf(".");
  return dot < 0 ? 0 : t.length - dot - 1;
}

/** Round half away from zero at `decimals`, on the decimal representation (so 8.675 → 8.68, not 8.67). */
export function roundTo(x: number, decimals: number): number {
  if (!Number.isFinite(x)) return x;
  const sign = x < 0 ? -1 : 1;
  const r = Math.round(Number(`${Math.abs(x)}e${decimals}`));
  return sign * Number(`${r}e-${decimals}`);
}

/** Exactly `decimals` decimals ("15.0" for 15 with 1). */
export function fixed(x: number, decimals: number): string {
  const r = roundTo(x, decimals);
  const s = r.toFixed(decimals);
  return s === "-0" || /^-0\.0*$/.test(s) ? s.slice(1) : s;
}

export interface NumberStyle {
  /** Most decimals shown (the rest rounded). */
  maxDecimals: number;
  /** Fewest decimals shown (trailing zeros kept down to this many). */
  minDecimals: number;
}

/** Display style (Markdown, LaTeX, HTML): the paper's. */
export const DISPLAY: NumberStyle = { maxDecimals: 2, minDecimals: 1 };
/** CSV style: enough precision to be compared with a tight tolerance, same look for exact values. */
export const CSV: NumberStyle = { maxDecimals: 6, minDecimals: 1 };

/** Format one of our numbers: rounded at maxDecimals, trailing zeros trimmed down to minDecimals. */
export function formatNumber(x: number, style: NumberStyle = DISPLAY): string {
  if (!Number.isFinite(x)) return "";
  let s = fixed(x, style.maxDecimals);
  if (style.maxDecimals > style.minDecimals) {
    const dot = s.indexOf(".");
    let end = s.length;
    while (end > dot + 1 + style.minDecimals && s[end - 1] === "0") end--;
    if (end === dot + 1) end = dot; // minDecimals 0 and nothing left after the point
    s = s.slice(0, end);
  }
  return s;
}

/** A value together with the precision it was published at (undefined: one of ours). */
export interface Printed {
  value: number;
  decimals?: number;
}

/** Format a cell value: with its published decimals when it has them, else with `style`. */
export function formatCell(v: number | null | undefined, decimals: number | undefined, style: NumberStyle = DISPLAY, empty = DASH): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return empty;
  return decimals === undefined ? formatNumber(v, style) : fixed(v, decimals);
}

/** A signed difference: "+0.2", "-1.35", "0.0". */
export function formatSigned(x: number | null | undefined, style: NumberStyle = DISPLAY, empty = DASH): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return empty;
  const s = formatNumber(x, style);
  if (Number(s) === 0) return s.replace(/^-/, "");
  return x > 0 ? `+${s}` : s;
}

/** "[0.11, 0.60]" with two decimals. */
export function formatInterval(ci: readonly [number, number] | null | undefined, decimals = 2): string {
  if (!ci || !Number.isFinite(ci[0]) || !Number.isFinite(ci[1])) return "";
  return `[${fixed(ci[0], decimals)}, ${fixed(ci[1], decimals)}]`;
}

/** Parse a published numeric cell: "" or "—" → null; otherwise value and printed decimals. */
export function parsePrinted(text: string, where: string): Printed | null {
  const t = text.trim();
  if (t === "" || t === DASH || t === "-") return null;
  if (!/^-?\d+(\.\d+)?$/.test(t)) throw new Error(`${where}: "${text}" is not a number`);
  return { value: Number(t), decimals: decimalsOf(t) };
}
