/**
 * `stgrpo replay <task> [--seed N]` — read action strings from stdin (one per line) and write the
 * episode as JSONL: first `{"t":0,"observation","valid_actions","done","success"}`, then after each
 * action `{"t","action","observation","valid_actions","done","success"}` (the observation as the engine
 * gives it: TextEnv.view). An invalid action stops the replay with exit code 2 and a message naming it
 * (the lines before it are already written).
 */
import * as readline from "node:readline";
import { Command, SEED_FLAG, taskAndSeed } from "../command";
import { usageText } from "../flags";
import { writeOut } from "../output";
import { makeEnv } from "../../lib/env/index";

const usage = usageText({
  synopsis: "usage: stgrpo replay <task> [--seed N] < actions.txt",
  about: `Replay action strings (one per line, exactly as in the valid-action list; blank lines are skipped,
surrounding whitespace is ignored) on <task>'s layout or game and write one JSON line per state. An
invalid action exits with code 2.`,
  flags: SEED_FLAG,
});

export const replay: Command = {
  name: "replay",
  summary: "replay actions from stdin on a task and print the states as JSONL",
  usage,
  flags: [SEED_FLAG],
  async run(argv) {
    const { task, seed } = taskAndSeed(argv, "stgrpo replay <task> [--seed N] < actions.txt", SEED_FLAG);
    const env = makeEnv(task, seed);
    const out = (record: object) => writeOut(JSON.stringify(record) + "\n");
    const state = () => {
      const v = env.view();
      return { observation: v.observation, valid_actions: v.validActions, done: env.isDone(), success: env.isSuccess() };
    };
    out({ t: 0, ...state() });
    const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
    for await (const line of lines) {
      const action = line.trim();
      if (action === "") continue;
      env.step(action); // InvalidActionError: a UserError with exit code 2
      out({ t: env.steps, action, ...state() });
    }
    return 0;
  },
};
