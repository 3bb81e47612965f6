/**
 * `stgrpo layout <task> [--seed N] [--noisy] [--pretty]` — a task's instantiated layout as JSON (DESIGN.md
 * contract: `{width, height, stations, items, players, goal, goal_description}`, names with their ids):
 * the default layout, or Robotouille's procedural layout for seed N (bit-exact).
 */
import { Command, parseFlags, printJson } from "../command";
import { UserError } from "../../lib/util/errors";
import { loadLayout, parseSeed } from "../../lib/kitchen/instantiate";

const usage = `usage: stgrpo layout <task> [--seed N] [--noisy] [--pretty]

Print the instantiated layout of <task> as JSON: a paper name (cheese_sandwich, burger, cheese_burger,
double_cheese_burger), a Robotouille stem (0_cheese_sandwich … 9_onion_cheese_burger_and_lettuce_tomato_chicken_sandwich),
or synchronous_train/0_cheese_onion_sandwich (the in-context example's task, seed 26).

  --seed N   Robotouille's procedural layout for seed N (any non-negative integer; bit-exact with the
             original generator, including its retry with seed N+1 when generation fails)
  --noisy    Robotouille's "noisy randomization" (moves the default layout's station groups intact;
             not used by the paper's evaluation)
  --pretty   indent the JSON`;

export const layout: Command = {
  name: "layout",
  summary: "print a task's instantiated layout (default or seeded) as JSON",
  usage,
  async run(argv) {
    // `--seed -3` would otherwise read as a missing value; say what is wrong with it instead.
    const k = argv.indexOf("--seed");
    if (k >= 0 && /^-\d/.test(argv[k + 1] ?? "")) parseSeed(argv[k + 1]);
    const { values, positionals } = parseFlags(argv, {
      seed: { type: "string" },
      noisy: { type: "boolean" },
      pretty: { type: "boolean" },
    });
    if (positionals.length !== 1) throw new UserError(`expected exactly one task id (usage: stgrpo layout <task> [--seed N])`);
    const seed = values.seed === undefined ? null : parseSeed(values.seed);
    if (values.noisy && seed === null) throw new UserError("--noisy needs --seed N");
    printJson(loadLayout(positionals[0], seed, { noisy: values.noisy ?? false }), values.pretty ?? false);
    return 0;
  },
};
