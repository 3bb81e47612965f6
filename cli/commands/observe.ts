/**
 * `stgrpo observe <task> [--seed N] [--json]` — a task's initial state as its engine renders it: for
 * Robotouille the observation text (object blocks, `Valid Actions:`, `Goal: …`; notes/kitchen-engine.md),
 * for CookingWorld the game's text after reset. `--json`: `{"observation", "valid_actions", "goal"}`.
 */
import { Command, printJson, SEED_FLAG, taskAndSeed } from "../command";
import { flagTable, usageText } from "../flags";
import { writeOut } from "../output";
import { makeEnv } from "../../lib/env/index";

const FLAGS = flagTable({
  ...SEED_FLAG,
  json: { type: "boolean", help: "{\"observation\", \"valid_actions\", \"goal\"}: the engine's observation text, its valid actions (in its order) and the goal" },
});

const usage = usageText({
  synopsis: "usage: stgrpo observe <task> [--seed N] [--json]",
  about: `Print the initial observation text of <task>: a Robotouille task (a paper name such as burger, or a
stem such as 3_burger) on its default layout or on Robotouille's procedural layout for seed N, or a
CookingWorld level (cookingworld-1 … cookingworld-4) on game N (a seed of the engine's train, dev or test fold).`,
  flags: FLAGS,
});

export const observe: Command = {
  name: "observe",
  summary: "print a task's initial observation text",
  usage,
  flags: [FLAGS],
  async run(argv) {
    const { task, seed, values } = taskAndSeed(argv, "stgrpo observe <task> [--seed N] [--json]", FLAGS);
    const env = makeEnv(task, seed);
    if (values.json) {
      const v = env.view();
      printJson({ observation: v.observation, valid_actions: v.validActions, goal: v.goal });
    } else writeOut(env.observation() + "\n");
    return 0;
  },
};
