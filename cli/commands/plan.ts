/**
 * `stgrpo plan <task> [--seed N] [--json]` — the expert's shortest plan (docs/design.md contract:
 * `{"length","actions","expanded","ms"}`): the shortest plan, and among shortest plans the one with
 * the lexicographically smallest valid-action indices (lib/expert/experts.ts).
 */
import { Command, printJson, SEED_FLAG, taskAndSeed } from "../command";
import { flagTable, usageText } from "../flags";
import { writeErr, writeOut } from "../output";
import { planAnswer } from "../../lib/expert/experts";
import { DEFAULT_MAX_EXPANDED } from "../../lib/expert/search";

const FLAGS = flagTable({
  ...SEED_FLAG,
  json: { type: "boolean", help: "{\"length\",\"actions\",\"expanded\",\"ms\"} on stdout (with --all-optimal also \"optimal_actions\": every action that keeps the optimal distance, per step)" },
  "all-optimal": { type: "boolean", help: "also list, per step, every action that keeps the optimal distance" },
  "max-expanded": { type: "int", arg: "N", min: 1, default: DEFAULT_MAX_EXPANDED, help: "A* budget per search; beyond it: an error" },
});

const usage = usageText({
  synopsis: "usage: stgrpo plan <task> [--seed N] [--json] [--all-optimal] [--max-expanded N]",
  about: `Print an optimal plan for <task>'s default layout, Robotouille's procedural layout for seed N, or
CookingWorld game N: the unique expert plan (shortest; among shortest plans, the first valid action at
every step, in the engine's order). Robotouille plans with our A*, CookingWorld with the engine's exact search.`,
  flags: FLAGS,
  after: "Without --json: one action per line on stdout, a summary on stderr.",
});

export const plan: Command = {
  name: "plan",
  summary: "print the expert's shortest plan for a layout or game (unique tie-break)",
  usage,
  flags: [FLAGS],
  async run(argv) {
    const { task, seed, values } = taskAndSeed(argv, "stgrpo plan <task> [--seed N] [--json]", FLAGS);
    const p = planAnswer(task, seed, { maxExpanded: values["max-expanded"], allOptimal: values["all-optimal"] });
    if (values.json) {
      printJson(p);
    } else {
      const optimal = p.optimal_actions;
      writeOut(p.actions.map((a, t) => a + (optimal && optimal[t].length > 1 ? `    (${optimal[t].length} optimal actions)` : "") + "\n").join(""));
      writeErr(`${p.length} steps (optimal), ${p.expanded} states expanded, ${p.ms.toFixed(1)} ms\n`);
    }
    return 0;
  },
};
