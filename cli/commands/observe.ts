/**
 * `stgrpo observe <task> [--seed N]` — the initial observation text of a task's layout, exactly as
 * Robotouille renders it (notes/kitchen-engine.md): object blocks, `Valid Actions:`, `Goal: …`.
 */
import { Command, SEED_FLAG, taskAndSeed } from "../command";
import { usageText } from "../flags";
import { writeOut } from "../output";
import { Kitchen } from "../../lib/kitchen/kitchen";
import { loadLayout } from "../../lib/kitchen/instantiate";

const usage = usageText({
  synopsis: "usage: stgrpo observe <task> [--seed N]",
  about: `Print the initial observation text of <task> (a paper name such as burger, or a Robotouille stem
such as 3_burger): the default layout, or Robotouille's procedural layout for seed N.`,
  flags: SEED_FLAG,
});

export const observe: Command = {
  name: "observe",
  summary: "print a task's initial observation text",
  usage,
  flags: [SEED_FLAG],
  async run(argv) {
    const { task, seed } = taskAndSeed(argv, "stgrpo observe <task> [--seed N]", SEED_FLAG);
    writeOut(Kitchen.fromLayout(loadLayout(task, seed)).observation() + "\n");
    return 0;
  },
};
