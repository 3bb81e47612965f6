import { UserError } from "../lib/util/errors";
import { writeOut } from "./output";
import { flagTable, FlagTable, FlagValues, parseFlags } from "./flags";

/**
 * One `stgrpo` subcommand. `run` returns the exit code; user mistakes throw UserError. `flags` are the
 * tables its parser reads (one per subcommand for `theory`); `usage` lists them, generated from them.
 */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  flags: FlagTable[];
  run(argv: string[]): Promise<number>;
}

/** Print a JSON value on stdout, one document. */
export function printJson(value: unknown, pretty = false): void {
  writeOut(JSON.stringify(value, null, pretty ? 2 : undefined) + "\n");
}

/** The `--seed N` flag of the kitchen commands: a layout seed as Robotouille takes it. */
export const SEED_FLAG = flagTable({
  seed: { type: "seed", arg: "N", help: "Robotouille's procedural layout for seed N (any non-negative integer; bit-exact with the original generator, including its retry with seed N+1 when generation fails); without it, the task's default layout" },
});

/**
 * The `<task> [--seed N] …` arguments of the kitchen commands (layout, observe, replay, plan): exactly
 * one task id and the seed flag; `table` holds the command's flags (SEED_FLAG among them).
 */
export function taskAndSeed<T extends FlagTable & typeof SEED_FLAG>(argv: string[], usageLine: string, table: T): { task: string; seed: number | bigint | null; values: FlagValues<T> } {
  const { values, positionals } = parseFlags(argv, table);
  if (positionals.length !== 1) throw new UserError(`expected exactly one task id (usage: ${usageLine})`);
  const seed = values.seed as number | bigint | undefined;
  return { task: positionals[0], seed: seed ?? null, values };
}
