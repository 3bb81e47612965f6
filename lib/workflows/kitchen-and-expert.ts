/**
 * What notebook 04 shows, computed here so that it is tested: the 44 paper evaluation layouts with
 * their optimal lengths against the paper's step limits and timeouts, state-space sizes, ambiguity of
 * the unique expert, and the tables/figures (vega-lite) built from them.
 */
import { EVAL_SEEDS, PAPER_TASKS, resolveTask } from "../kitchen/tasks";
import { loadLayoutInfo } from "../kitchen/instantiate";
import { Kitchen } from "../kitchen/kitchen";
import type { VegaLiteSpec } from "../viz/render";
import { Progress, ProgressSink, silentProgress } from "../util/progress";
import { DATASET_PROMPT_CONFIG, singleTurnRows } from "../dataset/rows";
import { ExpertTrajectory } from "../expert/record";
import type { PromptConfig } from "../agent/prompt";
import { historyLeak, LeakStats } from "../dataset/leak";
import { REASONING_STYLES, ReasoningStyle } from "../expert/reasoning";
import type { AmbiguityStats, DatasetStats } from "../dataset/generate";
import { ambiguityStats } from "../dataset/generate";
import { reachableStates } from "../expert/statespace";
import { trajectoryFrom, TrajectoryInfo, withReasoning } from "../expert/trajectory";

/** k of n as a percentage with one decimal ("—" for none). */
const pct = (k: number, n: number) => (n ? `${((100 * k) / n).toFixed(1)}%` : "—");

/** One evaluation layout, planned. */
export interface EvalLayoutRow {
  task: string;
  seed: number | null;
  /** The seed the generator really used (Robotouille's silent seed+1 retry). */
  effectiveSeed: number | null;
  optimal: number;
  /** The paper's "at most N steps" for the task (Robotouille's configured optimal_steps). */
  stepLimit: number;
  /** The paper's evaluation timeout (attempt turns). */
  timeout: number;
  /** Expert states where more than one action keeps the optimal distance. */
  ambiguousStates: number;
  /** Reachable states (exact when `statesComplete`, else the enumeration cap, which they exceed). */
  states: number;
  statesComplete: boolean;
  /** Time to plan (unique expert plan with all optimal-action sets), ms. */
  ms: number;
  expanded: number;
  trajectory: ExpertTrajectory;
  info: TrajectoryInfo;
}

/**
 * Plan every paper evaluation layout (4 tasks × default + the ten seeds) and count its reachable
 * states up to `stateCap` (default layouts) / `seededStateCap` (seeded ones; default: stateCap).
 * 0: not counted.
 */
export function evalLayoutStudy(
  opts: { tasks?: readonly string[]; seeds?: readonly number[]; stateCap?: number; seededStateCap?: number; progress?: ProgressSink } = {},
): EvalLayoutRow[] {
  const tasks = opts.tasks ?? PAPER_TASKS;
  const seeds: (number | null)[] = [null, ...(opts.seeds ?? EVAL_SEEDS)];
  const progress = new Progress("planning evaluation layouts", tasks.length * seeds.length, opts.progress ?? silentProgress);
  const rows: EvalLayoutRow[] = [];
  for (const task of tasks) {
    const info = resolveTask(task);
    for (const seed of seeds) {
      const { layout, effectiveSeed } = loadLayoutInfo(task, seed);
      const k = Kitchen.fromLayout(layout);
      const eff = effectiveSeed === null ? null : Number(effectiveSeed);
      const { trajectory, info: ti } = trajectoryFrom(k, { task, seed, effectiveSeed: eff });
      const cap = seed === null ? (opts.stateCap ?? 0) : (opts.seededStateCap ?? opts.stateCap ?? 0);
      const space = cap > 0 ? reachableStates(k, cap, { distances: false }) : { count: 0, complete: false };
      rows.push({
        task: info.id,
        seed,
        effectiveSeed: eff,
        optimal: trajectory.length,
        stepLimit: info.optimalSteps,
        timeout: info.timeout,
        ambiguousStates: ti.optimalCounts.filter((c) => c > 1).length,
        states: space.complete ? space.count : cap,
        statesComplete: space.complete,
        ms: ti.ms,
        expanded: ti.expanded,
        trajectory,
        info: ti,
      });
      progress.tick();
    }
  }
  progress.finish();
  return rows;
}

const seedName = (r: { seed: number | null; effectiveSeed: number | null }) =>
  r.seed === null ? "default" : r.effectiveSeed !== null && r.effectiveSeed !== r.seed ? `${r.seed} (plays ${r.effectiveSeed})` : String(r.seed);

/** Markdown: per task, the optimal length of each layout, and how many exceed the limit / the timeout. */
export function optimalLengthTable(rows: readonly EvalLayoutRow[]): string {
  const tasks = [...new Set(rows.map((r) => r.task))];
  const seeds = [...new Set(rows.map((r) => (r.seed === null ? "default" : String(r.seed))))];
  const head = `| task | limit | timeout | ${seeds.join(" | ")} | > limit | > timeout |`;
  const sep = `|---|---|---|${seeds.map(() => "---").join("|")}|---|---|`;
  const lines = tasks.map((task) => {
    const rs = rows.filter((r) => r.task === task);
    const cells = rs.map((r) => (r.optimal > r.timeout ? `**${r.optimal}**!` : r.optimal > r.stepLimit ? `**${r.optimal}**` : String(r.optimal)));
    return `| ${task} | ${rs[0].stepLimit} | ${rs[0].timeout} | ${cells.join(" | ")} | ${rs.filter((r) => r.optimal > r.stepLimit).length} | ${rs.filter((r) => r.optimal > r.timeout).length} |`;
  });
  return [head, sep, ...lines, "", "Bold: longer than the paper's step limit; `!`: longer than the evaluation timeout (no policy can succeed there)."].join("\n");
}

/** Markdown: reachable states, planning effort and ambiguity per layout. */
export function layoutDetailTable(rows: readonly EvalLayoutRow[]): string {
  const head = "| task | seed | optimal | reachable states | A* states expanded | plan ms | ambiguous expert states |";
  const sep = "|---|---|---|---|---|---|---|";
  const lines = rows.map(
    (r) =>
      `| ${r.task} | ${seedName(r)} | ${r.optimal} | ${r.states === 0 ? "—" : r.statesComplete ? r.states.toLocaleString("en") : `> ${r.states.toLocaleString("en")}`} | ${r.expanded.toLocaleString("en")} | ${r.ms.toFixed(1)} | ${r.ambiguousStates}/${r.optimal} |`,
  );
  return [head, sep, ...lines].join("\n");
}

/** Ambiguity per task over a set of expert trajectories' infos. */
export function ambiguityByTask(rows: readonly { task: string; info: Pick<TrajectoryInfo, "optimalCounts" | "validCounts"> }[]): Record<string, AmbiguityStats> {
  const out: Record<string, AmbiguityStats> = {};
  for (const task of [...new Set(rows.map((r) => r.task))]) out[task] = ambiguityStats(rows.filter((r) => r.task === task).map((r) => r.info));
  return out;
}

/** Markdown: ambiguity per task, on the evaluation layouts and (when given) the training data. */
export function ambiguityTable(evalAmb: Record<string, AmbiguityStats>, train?: readonly DatasetStats[]): string {
  const head = "| task | expert states (eval) | ambiguous | fraction | mean optimal actions | max | mean valid actions |" + (train ? " training states | ambiguous fraction (train) |" : "");
  const sep = "|---|---|---|---|---|---|---|" + (train ? "---|---|" : "");
  const lines = Object.entries(evalAmb).map(([task, a]) => {
    const tr = train?.find((s) => s.task === task);
    const extra = train ? ` ${tr ? tr.ambiguity.states : "—"} | ${tr ? tr.ambiguity.fraction.toFixed(3) : "—"} |` : "";
    return `| ${task} | ${a.states} | ${a.ambiguous} | ${a.fraction.toFixed(3)} | ${a.meanOptimal.toFixed(2)} | ${a.maxOptimal} | ${a.meanValid.toFixed(1)} |${extra}`;
  });
  return [head, sep, ...lines].join("\n");
}

/** Markdown: dataset statistics per task. */
export function datasetTable(stats: readonly DatasetStats[]): string {
  const head =
    "| task | trajectories (train/val) | single-turn rows (train/val) | seeds | length mean (min–max) | ambiguous states | prompt chars | completion chars (mean/max) | reasoning | expert action in the prompt | planner ms |";
  const sep = "|---|---|---|---|---|---|---|---|---|---|---|";
  const lines = stats.map(
    (s) =>
      `| ${s.task} | ${s.layouts.train}/${s.layouts.val} | ${s.rows.train}/${s.rows.val} | ${s.layouts.seeds[0]}–${s.layouts.seeds[1]} | ${s.length.mean.toFixed(2)} (${s.length.min}–${s.length.max}) | ${(100 * s.ambiguity.fraction).toFixed(1)}% | ${Math.round(s.chars.promptMean)} | ${Math.round(s.chars.completionMean)}/${s.chars.completionMax} | ${s.reasoning.style} | ${pct(s.reasoning.leak.verbatim, s.reasoning.leak.rows)} | ${Math.round(s.planner.ms)} |`,
  );
  return [head, sep, ...lines].join("\n");
}

/** Markdown: an expert trajectory step by step (action, number of optimal actions, remaining distance). */
export function trajectoryTable(traj: ExpertTrajectory): string {
  const head = "| t | expert action | optimal actions here | valid actions | steps left |";
  const sep = "|---|---|---|---|---|";
  const lines = traj.steps.map((s, t) => `| ${t} | ${s.action} | ${s.optimal_actions ? s.optimal_actions.length : "—"} | ${s.valid_actions.length} | ${traj.length - t} |`);
  return [head, sep, ...lines].join("\n");
}

/** A fenced block for Markdown (observations, reasoning, prompts). */
export function codeBlock(text: string): string {
  const fence = text.includes("```") ? "~~~~" : "```";
  return `${fence}text\n${text}\n${fence}`;
}

/**
 * Figure: the optimal length of each evaluation layout, per task, with the paper's step limit (dashed)
 * and the evaluation timeout (solid) as rules.
 */
export function optimalLengthFigure(rows: readonly EvalLayoutRow[]): VegaLiteSpec {
  const values = rows.map((r) => ({
    task: r.task,
    layout: r.seed === null ? "default" : String(r.seed),
    optimal: r.optimal,
    limit: r.stepLimit,
    timeout: r.timeout,
    over: r.optimal > r.timeout ? "over the timeout" : r.optimal > r.stepLimit ? "over the step limit" : "within the limit",
  }));
  const order = [...new Set(values.map((v) => v.layout))];
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: "Optimal plan length of the 44 paper evaluation layouts (dashed: step limit, solid: timeout)",
    data: { values },
    facet: { column: { field: "task", type: "nominal", sort: [...new Set(values.map((v) => v.task))], title: null } },
    spec: {
      width: 190,
      height: 220,
      layer: [
        {
          mark: { type: "bar" },
          encoding: {
            x: { field: "layout", type: "ordinal", sort: order, title: "layout (seed)" },
            y: { field: "optimal", type: "quantitative", title: "optimal steps" },
            color: {
              field: "over",
              type: "nominal",
              scale: { domain: ["within the limit", "over the step limit", "over the timeout"], range: ["#6b9bd1", "#e39c4a", "#c0392b"] },
              title: null,
            },
          },
        },
        { mark: { type: "rule", strokeDash: [4, 3], color: "#333" }, encoding: { y: { aggregate: "max", field: "limit", type: "quantitative" } } },
        { mark: { type: "rule", color: "#333" }, encoding: { y: { aggregate: "max", field: "timeout", type: "quantitative" } } },
      ],
    },
  } as VegaLiteSpec;
}

/** Figure: the fraction of expert states with more than one optimal action, per task (evaluation vs training). */
export function ambiguityFigure(evalAmb: Record<string, AmbiguityStats>, train?: readonly DatasetStats[]): VegaLiteSpec {
  const values: { task: string; data: string; fraction: number; states: number }[] = [];
  for (const [task, a] of Object.entries(evalAmb)) values.push({ task, data: "evaluation layouts", fraction: a.fraction, states: a.states });
  for (const s of train ?? []) values.push({ task: s.task, data: "training layouts", fraction: s.ambiguity.fraction, states: s.ambiguity.states });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: "Expert states where the expert action is not the only optimal one",
    width: 520,
    height: 200,
    data: { values },
    mark: { type: "bar" },
    encoding: {
      x: { field: "task", type: "nominal", sort: Object.keys(evalAmb), title: null, axis: { labelAngle: 0 } },
      xOffset: { field: "data", type: "nominal" },
      y: { field: "fraction", type: "quantitative", title: "fraction of expert states", axis: { format: ".0%" } },
      color: { field: "data", type: "nominal", title: null },
      tooltip: [{ field: "states", type: "quantitative" }, { field: "fraction", type: "quantitative", format: ".3f" }],
    },
  } as VegaLiteSpec;
}

/** One task's leak under one reasoning style. */
export interface LeakRow {
  task: string;
  style: ReasoningStyle;
  leak: LeakStats;
}

/**
 * The same planner trajectories in every reasoning style, cut into rows with the dataset prompt, and
 * how often each row's prompt already states its expert action (leak.ts). Replays, never re-plans.
 */
export function reasoningLeakStudy(
  trajectories: Record<string, readonly ExpertTrajectory[]>,
  opts: { styles?: readonly ReasoningStyle[]; prompt?: PromptConfig } = {},
): LeakRow[] {
  const out: LeakRow[] = [];
  for (const [task, trajs] of Object.entries(trajectories)) {
    for (const style of opts.styles ?? REASONING_STYLES) {
      const rows = trajs.flatMap((t) => singleTurnRows(withReasoning(t, style), opts.prompt ?? DATASET_PROMPT_CONFIG));
      out.push({ task, style, leak: historyLeak(rows) });
    }
  }
  return out;
}

/** Markdown: per task and reasoning style, the share of rows whose expert action the prompt's previous reasoning states. */
export function reasoningLeakTable(rows: readonly LeakRow[]): string {
  const styles = [...new Set(rows.map((r) => r.style))];
  const head = `| task | rows | rows with a previous reasoning | ${styles.map((s) => `\`${s}\`: action in it (as its next step)`).join(" | ")} |`;
  const sep = `|---|---|---|${styles.map(() => "---").join("|")}|`;
  const lines = [...new Set(rows.map((r) => r.task))].map((task) => {
    const rs = styles.map((s) => rows.find((r) => r.task === task && r.style === s)!);
    const { rows: n, withHistory } = rs[0].leak;
    return `| ${task} | ${n} | ${pct(withHistory, n)} | ${rs.map((r) => `${pct(r.leak.verbatim, r.leak.rows)} (${pct(r.leak.nextStep, r.leak.rows)})`).join(" | ")} |`;
  });
  return [head, sep, ...lines].join("\n");
}
