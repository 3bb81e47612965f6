/**
 * `stgrpo replay <task> [--seed N]` — read action strings from stdin (one per line) and write the
 * episode as JSONL: first `{"t":0,"observation","valid_actions","done"}`, then after each action
 * `{"t","action","observation","valid_actions","done"}`. An invalid action stops the replay with
 * exit code 2 and a message naming it (the lines before it are already written).
 */
import * as readline from "node:readline";
import { Command, SEED_FLAG, taskAndSeed } from "../command";
import { usageText } from "../flags";
import { writeOut } from "../output";
import { Kitchen } from "../../lib/kitchen/kitchen";
import { loadLayout } from "../../lib/kitchen/instantiate";

const usage = usageText({
  synopsis: "usage: stgrpo replay <task> [--seed N] < actions.txt",
  about: `Replay action strings (one per line, exactly as in the valid-action list; blank lines are skipped,
surrounding whitespace is ignored) on <task>'s layout and write one JSON line per state. An invalid
action exits with code 2.`,
  flags: SEED_FLAG,
});

export const replay: Command = {
  name: "replay",
  summary: "replay actions from stdin on a task and print the states as JSONL",
  usage,
  flags: [SEED_FLAG],
  async run(argv) {
    const { task, seed } = taskAndSeed(argv, "stgrpo replay <task> [--seed N] < actions.txt", SEED_FLAG);
    const kitchen = Kitchen.fromLayout(loadLayout(task, seed));
    const out = (record: object) => writeOut(JSON.stringify(record) + "\n");
    out({ t: 0, observation: kitchen.observation(), valid_actions: kitchen.validActions(), done: kitchen.isDone() });
    const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      const action = line.trim();
      if (action === "") continue;
      const { done } = kitchen.step(action); // InvalidActionError: a UserError with exit code 2
      out({ t: kitchen.steps, action, observation: kitchen.observation(), valid_actions: kitchen.validActions(), done });
    }
    return 0;
  },
};
