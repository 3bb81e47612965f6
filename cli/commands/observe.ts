/**
 * `stgrpo observe <task> [--seed N]` — the initial observation text of a task's layout, exactly as
 * Robotouille renders it (specs/kitchen.md §3.1): object blocks, `Valid Actions:`, `Goal: …`.
 */
import { Command, intFlag, parseFlags } from "../command";
import { UserError } from "../../lib/util/errors";
import { makeKitchen } from "../../lib/kitchen/kitchen";

/** The task positional and the optional --seed shared by observe and replay. */
export function taskAndSeed(argv: string[], usage: string): { task: string; seed: number | null } {
  const { values, positionals } = parseFlags(argv, { seed: { type: "string" } });
  if (positionals.length !== 1) throw new UserError(`expected exactly one task id (${usage.split("\n")[0]})`);
  const seed = values.seed === undefined ? null : intFlag("seed", values.seed);
  return { task: positionals[0], seed };
}

const usage = `usage: stgrpo observe <task> [--seed N]

Print the initial observation text of <task> (a paper name such as burger, or a Robotouille stem
such as 3_burger): the default layout, or Robotouille's procedural layout for seed N.`;

export const observe: Command = {
  name: "observe",
  summary: "print a task's initial observation text",
  usage,
  async run(argv) {
    const { task, seed } = taskAndSeed(argv, usage);
    process.stdout.write(makeKitchen(task, seed).observation() + "\n");
    return 0;
  },
};
