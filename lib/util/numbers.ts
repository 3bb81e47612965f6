/**
 * The one number parser behind every command-line number (cli/flags.ts) and seed list
 * (lib/eval/protocol.ts, lib/kitchen/instantiate.ts). Decided once:
 * - integers are decimal digits only: `1e3`, `0x10`, `1.0` and `""` are refused everywhere, as seeds
 *   always were, so a seed and a count read the same text the same way;
 * - reals are decimal with an optional exponent (`1e-3` is a natural β); hex, `Infinity`, `NaN` refused;
 * - a layout seed is any non-negative integer, a bigint beyond 2^53, as Robotouille's `random.seed(n)`
 *   takes any Python int;
 * - a value out of range says the range: "must be a positive integer", "must be ≥ 0", "must be in [0, 1)".
 */
import { UserError } from "./errors";

/** What a number must be: an integer in [min, max] (default [0, 2^53 − 1]), a real in a range, or a seed. */
export type NumberSpec =
  | { type: "int"; min?: number; max?: number }
  | { type: "number"; min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean }
  | { type: "seed" };

const INTEGER = /^[+-]?\d+$/;
const REAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The words of an integer range: "a positive integer", "an integer from 1 to 65535". */
function integerRange(min: number, max: number): string {
  if (max < Number.MAX_SAFE_INTEGER) return `an integer from ${min} to ${max}`;
  if (min === 0) return "a non-negative integer";
  if (min === 1) return "a positive integer";
  return `an integer ≥ ${min}`;
}

/** The words of a real range: "≥ 0", "positive", "in [0, 1)". */
function realRange(spec: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean }): string | null {
  const { min, max } = spec;
  if (min !== undefined && max !== undefined) return `in ${spec.minExclusive ? "(" : "["}${min}, ${max}${spec.maxExclusive ? ")" : "]"}`;
  if (min !== undefined) return spec.minExclusive ? (min === 0 ? "positive" : `> ${min}`) : `≥ ${min}`;
  if (max !== undefined) return spec.maxExclusive ? `< ${max}` : `≤ ${max}`;
  return null;
}

/**
 * Parse a number the user wrote. "int": decimal digits, in [min, max] (default [0, 2^53 − 1]);
 * "number": a finite decimal, in the spec's range; "seed": a non-negative integer of any size (number
 * when safe, else bigint). `name` is the flag as the user wrote it ("--n", "--seeds"); the error is one
 * line naming it, the range, and what was given.
 */
export function parseNumberText(name: string, text: string, spec: NumberSpec): number | bigint {
  const t = text.trim();
  if (spec.type === "seed") {
    if (!/^\d+$/.test(t)) throw new UserError(`${name} must be a non-negative integer, got ${JSON.stringify(text)}`);
    const n = Number(t);
    return Number.isSafeInteger(n) ? n : BigInt(t);
  }
  if (spec.type === "int") {
    const min = spec.min ?? 0;
    const max = spec.max ?? Number.MAX_SAFE_INTEGER;
    const n = Number(t);
    if (INTEGER.test(t) && n > max && max === Number.MAX_SAFE_INTEGER) throw new UserError(`${name} must be at most 2^53 − 1 = ${max}, got ${JSON.stringify(text)}`);
    if (!INTEGER.test(t) || !(n >= min && n <= max)) throw new UserError(`${name} must be ${integerRange(min, max)}, got ${JSON.stringify(text)}`);
    return n === 0 ? 0 : n; // no -0
  }
  const n = Number(t);
  if (!REAL.test(t) || !Number.isFinite(n)) throw new UserError(`${name} must be a number, got ${JSON.stringify(text)}`);
  const s = spec;
  const low = s.min === undefined || (s.minExclusive ? n > s.min : n >= s.min);
  const high = s.max === undefined || (s.maxExclusive ? n < s.max : n <= s.max);
  if (!low || !high) throw new UserError(`${name} must be ${realRange(s)}, got ${JSON.stringify(text)}`);
  return n;
}


/** An integer in [min, max] (default [0, 2^53 − 1]), decimal digits only. */
export function parseInteger(name: string, text: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  return parseNumberText(name, text, { type: "int", min, max }) as number;
}

/** A layout seed: any non-negative integer (a bigint beyond 2^53). */
export function parseSeedText(name: string, text: string): number | bigint {
  return parseNumberText(name, text, { type: "seed" });
}
