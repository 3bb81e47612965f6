/**
 * `stgrpo plan <task> [--seed N] [--json]` — the expert's optimal plan (DESIGN.md contract:
 * `{"length","actions","expanded","ms"}`): the shortest plan, and among shortest plans the one with
 * the lexicographically smallest valid-action indices (lib/expert/planner.ts).
 */
import { Command, intFlag, printJson, taskAndSeed } from "../command";
import { Kitchen } from "../../lib/kitchen/kitchen";
import { loadLayout } from "../../lib/kitchen/instantiate";
import { expertPlan } from "../../lib/expert/planner";
import { DEFAULT_MAX_EXPANDED } from "../../lib/expert/search";

const usage = `usage: stgrpo plan <task> [--seed N] [--json] [--all-optimal] [--max-expanded N]

Print an optimal plan for <task>'s default layout, or Robotouille's procedural layout for seed N: the
unique expert plan (shortest; among shortest plans, the first valid action at every step).

  --seed N           procedural layout for seed N (bit-exact with Robotouille, including its seed+1 retry)
  --json             {"length","actions","expanded","ms"} on stdout (with --all-optimal also
                     "optimal_actions": every action that keeps the optimal distance, per step)
  --all-optimal      also list, per step, every action that keeps the optimal distance
  --max-expanded N   A* budget per search (default ${DEFAULT_MAX_EXPANDED}); beyond it: an error

Without --json: one action per line on stdout, a summary on stderr.`;

export const plan: Command = {
  name: "plan",
  summary: "print the expert's optimal plan for a layout (A*, unique tie-break)",
  usage,
  async run(argv) {
    const { task, seed, values } = taskAndSeed(argv, "stgrpo plan <task> [--seed N] [--json]", {
      json: { type: "boolean" },
      "all-optimal": { type: "boolean" },
      "max-expanded": { type: "string" },
    });
    const maxExpanded = intFlag("max-expanded", values["max-expanded"], DEFAULT_MAX_EXPANDED);
    const kitchen = Kitchen.fromLayout(loadLayout(task, seed));
    const allOptimal = values["all-optimal"] ?? false;
    const p = expertPlan(kitchen, { maxExpanded, allOptimal });
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
      p.actions.forEach((a, t) => {
        const alt = optimal && optimal[t].length > 1 ? `    (${optimal[t].length} optimal actions)` : "";
        process.stdout.write(a + alt + "\n");
      });
      process.stderr.write(`${p.length} steps (optimal), ${p.expanded} states expanded, ${ms.toFixed(1)} ms\n`);
    }
    return 0;
  },
};
