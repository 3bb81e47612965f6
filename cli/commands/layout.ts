/**
 * `stgrpo layout <task> [--seed N] [--noisy] [--pretty]` — a task's instantiated layout as JSON (docs/design.md
 * contract: `{width, height, stations, items, players, goal, goal_description}`, names with their ids):
 * the default layout, or Robotouille's procedural layout for seed N (bit-exact).
 */
import { Command, printJson, SEED_FLAG, taskAndSeed } from "../command";
import { flagTable, usageText } from "../flags";
import { UserError } from "../../lib/util/errors";
import { loadLayout } from "../../lib/kitchen/instantiate";

const FLAGS = flagTable({
  ...SEED_FLAG,
  noisy: { type: "boolean", help: "Robotouille's \"noisy randomization\" (moves the default layout's station groups intact; not used by the paper's evaluation); needs --seed" },
  pretty: { type: "boolean", help: "indent the JSON" },
});

const usage = usageText({
  synopsis: "usage: stgrpo layout <task> [--seed N] [--noisy] [--pretty]",
  about: `Print the instantiated layout of <task> as JSON: a paper name (cheese_sandwich, burger, cheese_burger,
double_cheese_burger), a Robotouille stem (0_cheese_sandwich … 9_onion_cheese_burger_and_lettuce_tomato_chicken_sandwich),
or synchronous_train/0_cheese_onion_sandwich (the in-context example's task, seed 26).`,
  flags: FLAGS,
});

export const layout: Command = {
  name: "layout",
  summary: "print a task's instantiated layout (default or seeded) as JSON",
  usage,
  flags: [FLAGS],
  async run(argv) {
    const { task, seed, values } = taskAndSeed(argv, "stgrpo layout <task> [--seed N]", FLAGS);
    if (values.noisy && seed === null) throw new UserError("--noisy needs --seed N");
    printJson(loadLayout(task, seed, { noisy: values.noisy }), values.pretty);
    return 0;
  },
};
