import { parseArgs, ParseArgsConfig } from "node:util";
import { UserError } from "../lib/util/errors";
import { parseSeed } from "../lib/kitchen/instantiate";

/** One `stgrpo` subcommand. `run` returns the exit code; user mistakes throw UserError. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[]): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * node:util parseArgs with one-line errors: unknown flags and missing values become UserError
 * (exit 1) naming the flag, instead of a TypeError with a stack.
 */
export function parseFlags<O extends Options>(argv: string[], options: O, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e: any) {
    throw new UserError(String(e.message).split("\n")[0].replace(/^TypeError \[[A-Z_]+\]: /, ""));
  }
}

/** Parse a flag as a number, with a one-line error naming the flag. */
export function numberFlag(name: string, value: string | undefined, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UserError(`--${name} is required`);
    return fallback;
  }
  const x = Number(value);
  if (value.trim() === "" || !Number.isFinite(x)) throw new UserError(`--${name} must be a number, got "${value}"`);
  return x;
}

/** Parse a flag as a non-negative integer (seeds, counts). */
export function intFlag(name: string, value: string | undefined, fallback?: number): number {
  const x = numberFlag(name, value, fallback);
  if (!Number.isInteger(x) || x < 0) throw new UserError(`--${name} must be a non-negative integer, got "${value}"`);
  return x;
}

/** Print a JSON value on stdout, one document. */
export function printJson(value: unknown, pretty = false): void {
  process.stdout.write(JSON.stringify(value, null, pretty ? 2 : undefined) + "\n");
}

/**
 * The `<task> [--seed N] …` arguments of the kitchen commands (layout, observe, replay, plan): exactly
 * one task id, and a seed as Robotouille takes it (any non-negative integer, a bigint beyond 2^53).
 * `extra` declares the command's other flags; their values come back in `values`.
 */
export function taskAndSeed<O extends Options>(argv: string[], usageLine: string, extra: O = {} as O) {
  // `--seed -3` would otherwise read as a flag without its value; say what is wrong with the seed instead.
  const k = argv.indexOf("--seed");
  if (k >= 0 && /^-\d/.test(argv[k + 1] ?? "")) parseSeed(argv[k + 1]);
  const { values, positionals } = parseFlags(argv, { ...extra, seed: { type: "string" } });
  if (positionals.length !== 1) throw new UserError(`expected exactly one task id (usage: ${usageLine})`);
  const seedText = (values as { seed?: string }).seed;
  return { task: positionals[0], seed: seedText === undefined ? null : parseSeed(seedText), values };
}
