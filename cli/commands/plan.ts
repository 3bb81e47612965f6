/**
 * `stgrpo plan <task> [--seed N] [--json]` — the expert's optimal plan (docs/design.md contract:
 * `{"length","actions","expanded","ms"}`): the shortest plan, and among shortest plans the one with
 * the lexicographically smallest valid-action indices (lib/expert/planner.ts).
 */
import { Command, printJson, SEED_FLAG, taskAndSeed } from "../command";
import { flagTable, usageText } from "../flags";
import { writeErr, writeOut } from "../output";
import { Kitchen } from "../../lib/kitchen/kitchen";
import { loadLayout } from "../../lib/kitchen/instantiate";
import { expertPlan } from "../../lib/expert/planner";
import { DEFAULT_MAX_EXPANDED } from "../../lib/expert/search";

const FLAGS = flagTable({
  ...SEED_FLAG,
  json: { type: "boolean", help: "{\"length\",\"actions\",\"expanded\",\"ms\"} on stdout (with --all-optimal also \"optimal_actions\": every action that keeps the optimal distance, per step)" },
  "all-optimal": { type: "boolean", help: "also list, per step, every action that keeps the optimal distance" },
  "max-expanded": { type: "int", arg: "N", min: 1, default: DEFAULT_MAX_EXPANDED, help: "A* budget per search; beyond it: an error" },
});

const usage = usageText({
  synopsis: "usage: stgrpo plan <task> [--seed N] [--json] [--all-optimal] [--max-expanded N]",
  about: `Print an optimal plan for <task>'s default layout, or Robotouille's procedural layout for seed N: the
unique expert plan (shortest; among shortest plans, the first valid action at every step).`,
  flags: FLAGS,
  after: "Without --json: one action per line on stdout, a summary on stderr.",
});

export const plan: Command = {
  name: "plan",
  summary: "print the expert's optimal plan for a layout (A*, unique tie-break)",
  usage,
  flags: [FLAGS],
  async run(argv) {
    const { task, seed, values } = taskAndSeed(argv, "stgrpo plan <task> [--seed N] [--json]", FLAGS);
    const kitchen = Kitchen.fromLayout(loadLayout(task, seed));
    const allOptimal = values["all-optimal"];
    const p = expertPlan(kitchen, { maxExpanded: values["max-expanded"], allOptimal });
    const ms = Math.round(p.ms * 1000) / 1000;
    let optimal: string[][] | undefined;
    if (p.optimalIndices) {
      const walk = kitchen.clone();
      optimal = p.optimalIndices.map((ks, t) => {
        const valid = walk.validActions();
        walk.step(p.actions[t]);
        return ks.map((x) => valid[x]);
      });
    }
    if (values.json) {
      printJson({ length: p.length, actions: p.actions, expanded: p.expanded, ms, ...(optimal ? { optimal_actions: optimal } : {}) });
    } else {
      writeOut(
        p.actions
          .map((a, t) => {
            const alt = optimal && optimal[t].length > 1 ? `    (${optimal[t].length} optimal actions)` : "";
            return a + alt + "\n";
          })
          .join(""),
      );
      writeErr(`${p.length} steps (optimal), ${p.expanded} states expanded, ${ms.toFixed(1)} ms\n`);
    }
    return 0;
  },
};
