/**
 * The comparison's summary as Markdown: each function takes the summary and returns one section (what
 * comparison.md holds and a notebook cell shows).
 */
import { taskTitle } from "../../report/paper";
import type { PairedComparison } from "../study/compare";
import { METHOD_TITLES, Method } from "./config";
import { budgetLabel } from "./plan";
import { summaryCurves } from "./curves";
import type { ComparisonSummary, CurveRow, FindingRow } from "./types";

const f2 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(2));
const signed = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(2)}`;
const ci2 = (c: [number, number] | null | undefined) => (c ? ` [${c[0].toFixed(2)}, ${c[1].toFixed(2)}]` : "");
const title = (m: string) => (m === "start" ? "SFT start" : METHOD_TITLES[m as Method] ?? m);
const startName = (learner: string, arm: string) => `${learner}, ${arm} SFT`;
const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function table(header: string[], rows: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  return [`| ${header.map(esc).join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`)].join("\n") + "\n";
}

/** `+0.05 [+0.01, +0.09]`: a paired difference with its interval across seeds. */
export function diffText(c: PairedComparison | null): string {
  if (!c) return "—";
  return `${signed(c.diff)}${c.diff_ci ? ` [${signed(c.diff_ci[0])}, ${signed(c.diff_ci[1])}]` : ""}`;
}

function clearness(c: PairedComparison | null): string {
  if (!c) return "";
  return c.verdict === "within noise" ? " (within noise)" : c.verdict === "one run" ? " (one seed)" : "";
}

/** `GiGPO 0.87 > multi-turn GRPO 0.82 = …`: the methods best first, ties (at two decimals) marked. */
function rankingText(f: FindingRow): string {
  return f.ranking.map((r, i) => `${i === 0 ? "" : f2(f.ranking[i - 1].sr) === f2(r.sr) ? " = " : " > "}${title(r.method)} ${f2(r.sr)}`).join("");
}

/** The largest budget point of each (task, learner, start): where the ranking is read. */
function largest(findings: FindingRow[]): FindingRow[] {
  const max = new Map<string, number>();
  for (const f of findings) {
    const k = `${f.task}|${f.learner}|${f.arm}`;
    max.set(k, Math.max(max.get(k) ?? 0, f.budget));
  }
  return findings.filter((f) => f.budget === max.get(`${f.task}|${f.learner}|${f.arm}`));
}

/** The findings table: per environment, task, learner, start, budget and decoding — who wins, by how much, and the paper's claim. */
export function findingsTableMarkdown(s: ComparisonSummary, opts: { largestOnly?: boolean } = {}): string {
  const rows = (opts.largestOnly ? largest(s.findings) : s.findings).map((f) => [
    f.env,
    taskTitle(f.task),
    startName(f.learner, f.arm),
    budgetLabel(f.budget),
    f.decoding,
    rankingText(f),
    f.margin ? `${diffText(f.margin)}${clearness(f.margin)}` : "—",
    f.paper ? `**${f.paper.verdict}**: vs ${title(f.paper.against)} ${diffText(f.paper.comparison)}` : "—",
    f.onPolicy ? `${diffText(f.onPolicy)}${clearness(f.onPolicy)}` : "—",
  ]);
  return table(
    ["env", "task", "learner, start", "sampled actions", "decoding", "SR by method (mean over seeds), best first", "best − second [95% CI]", "paper's claim: single-turn (expert states) − best multi-turn [95% CI]", "on-policy − single-turn [95% CI]"],
    rows,
  );
}

/** How often the paper's claim holds, is reversed or within noise: per learner, start and decoding, at the largest budget and over all budgets. */
export function claimTallyMarkdown(s: ComparisonSummary): string {
  const groups = new Map<string, FindingRow[]>();
  for (const f of s.findings) {
    const k = `${startName(f.learner, f.arm)}|${f.decoding}`;
    groups.set(k, [...(groups.get(k) ?? []), f]);
  }
  const count = (fs: FindingRow[]) => {
    const c = (v: string) => fs.filter((f) => f.paper?.verdict === v).length;
    return `${c("holds")} hold, ${c("reversed")} reversed, ${c("within noise")} within noise (of ${fs.length})`;
  };
  const rows = [...groups].map(([k, fs]) => {
    const [start, decoding] = k.split("|");
    return [start, decoding, count(largest(fs)), count(fs)];
  });
  return table(["learner, start", "decoding", "at the largest budget (per task)", "at every budget point"], rows);
}

/** SR per method at every budget point (mean [95% CI across seeds]) for one decoding. */
export function curvesMarkdown(s: ComparisonSummary, decoding: string): string {
  const byCell = new Map<string, CurveRow[]>();
  for (const c of summaryCurves(s).filter((x) => x.decoding === decoding)) {
    const k = `${c.task}|${c.learner}|${c.arm}`;
    byCell.set(k, [...(byCell.get(k) ?? []), c]);
  }
  const out: string[] = [];
  for (const [k, cs] of byCell) {
    const [task, learner, arm] = k.split("|");
    const budgets = [...new Set(cs.map((c) => c.budget))].sort((a, b) => a - b);
    const methods = [...new Set(cs.map((c) => c.method))];
    const rows = methods.map((m) => [
      title(m),
      ...budgets.map((b) => {
        const c = cs.find((x) => x.method === m && x.budget === b);
        return c ? `${f2(c.sr)}${ci2(c.sr_ci)}` : "";
      }),
    ]);
    out.push(`**${taskTitle(task)}, ${startName(learner, arm)}** (${decoding})\n\n${table(["method", ...budgets.map((b) => (b === 0 ? "0 (start)" : budgetLabel(b)))], rows)}`);
  }
  return out.join("\n");
}

/** Steps beyond the planner's optimum per success, and the training wall time, at each cell's largest budget. */
export function costMarkdown(s: ComparisonSummary): string {
  const max = new Map<string, number>();
  for (const c of summaryCurves(s)) max.set(`${c.task}|${c.learner}|${c.arm}`, Math.max(max.get(`${c.task}|${c.learner}|${c.arm}`) ?? 0, c.budget));
  const rows = summaryCurves(s)
    .filter((c) => c.method !== "start" && c.budget === max.get(`${c.task}|${c.learner}|${c.arm}`))
    .map((c) => [taskTitle(c.task), startName(c.learner, c.arm), c.decoding, title(c.method), String(c.samples), f2(c.excess) + ci2(c.excess_ci), c.seconds.toFixed(1), c.cpu_seconds.toFixed(1)]);
  return table(["task", "learner, start", "decoding", "method", "sampled actions (mean drawn)", "steps beyond the optimum per success [95% CI]", "training wall time (s)", "training CPU time (s)"], rows);
}

/**
 * The same policies read against training time instead of samples: per cell and decoding, each method's
 * SR at its last budget point reached within the CPU time single-turn GRPO (expert states) took for its
 * largest budget (the start when none was). Single-turn GRPO samples without a simulator, so its
 * sampled actions are the cheapest; here the multi-turn methods get the same seconds instead.
 */
export function equalTimeMarkdown(s: ComparisonSummary, decoding: string): string {
  const curves = summaryCurves(s).filter((c) => c.decoding === decoding);
  const cells = [...new Set(curves.map((c) => `${c.task}|${c.learner}|${c.arm}`))];
  const rows: string[][] = [];
  for (const cell of cells) {
    const [task, learner, arm] = cell.split("|");
    const cs = curves.filter((c) => c.task === task && c.learner === learner && c.arm === arm);
    const grpo = cs.filter((c) => c.method === "grpo").sort((a, b) => b.budget - a.budget)[0];
    const start = cs.find((c) => c.method === "start");
    if (!grpo || !start) continue;
    const methods = [...new Set(cs.filter((c) => c.method !== "start").map((c) => c.method))];
    const at = methods.map((m) => {
      const within = cs.filter((c) => c.method === m && c.cpu_seconds <= grpo.cpu_seconds).sort((a, b) => b.budget - a.budget)[0] ?? start;
      return `${title(m)} ${f2(within.sr)} (${within.budget === 0 ? "start" : budgetLabel(within.budget)})`;
    });
    rows.push([taskTitle(task), startName(learner, arm), grpo.cpu_seconds.toFixed(1), at.join("; ")]);
  }
  return table(["task", "learner, start", "single-turn GRPO's training CPU time at its largest budget (s)", `SR (${decoding}) each method reached within it (at the budget point)`], rows);
}

/** Corollary 3.1 and Assumption 3.1 per method after training, against its start. */
export function theoryMarkdown(s: ComparisonSummary): string {
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const rows = s.theory.map((t) => [
    taskTitle(t.task),
    startName(t.learner, t.arm),
    title(t.method),
    `${pct(t.expert.improved)} of ${t.expert.states} (unique a^GT ${pct(t.expert.uniqueImproved)} of ${t.expert.unique}${t.expert.states > t.expert.unique ? `, several optimal ${pct(t.expert.ambiguousImproved)}` : ""}); ${f2(t.expert.before)} → ${f2(t.expert.after)}`,
    `${pct(t.offPath.improved)} of ${t.offPath.states}; ${f2(t.offPath.before)} → ${f2(t.offPath.after)}`,
    `${pct(t.offPath.improvedSet)}; ${f2(t.offPath.beforeSet)} → ${f2(t.offPath.afterSet)}`,
  ]);
  return table(["task", "learner, start", "method", "Corollary 3.1: expert states with π(a^GT|s) not lower", "Assumption 3.1: off-path states, π(a^GT|s) not lower", "off-path, π(optimal set|s) not lower"], rows);
}

export function comparisonTimingsMarkdown(s: ComparisonSummary): string {
  const t = s.timings;
  const stages = Object.entries(t.byStage)
    .map(([k, v]) => `${k} ${v.toFixed(0)} s`)
    .join(", ");
  const cpu = Object.entries(t.cpuByStage)
    .map(([k, v]) => `${k} ${v.toFixed(0)} s`)
    .join(", ");
  return `Wall time ${t.wall === null ? "—" : `${t.wall.toFixed(0)} s`} (${t.jobs} jobs; job time ${t.total.toFixed(0)} s: ${stages}; CPU time ${t.cpu.toFixed(0)} s: ${cpu}; mean 1-minute load ${t.meanLoad1 ?? "—"} on ${t.cores} cores).\n`;
}

/**
 * The answer in sentences, built from the findings (so that no number in a notebook's prose was typed):
 * per decoding, how often the paper's claim holds, is reversed or is within noise at each cell's largest
 * budget, the largest reversal and the largest confirmation with their intervals, which method most often
 * ranks first, and what the planner's on-policy labels change against expert-state GRPO.
 */
export function verdictMarkdown(s: ComparisonSummary): string {
  const where = (f: FindingRow) => `${taskTitle(f.task)} (${startName(f.learner, f.arm)}, ${budgetLabel(f.budget)} sampled actions)`;
  const out: string[] = [];
  for (const d of s.config.eval.decodings.map((x) => x.id)) {
    const fs = largest(s.findings).filter((f) => f.decoding === d);
    if (!fs.length) continue;
    const n = (v: string) => fs.filter((f) => f.paper?.verdict === v).length;
    const diffs = fs.filter((f) => f.paper?.comparison).sort((a, b) => a.paper!.comparison!.diff - b.paper!.comparison!.diff);
    const worst = diffs[0];
    const best = diffs[diffs.length - 1];
    const firsts = new Map<string, number>();
    for (const f of fs) firsts.set(f.ranking[0].method, (firsts.get(f.ranking[0].method) ?? 0) + 1);
    const [top, topCount] = [...firsts].sort((a, b) => b[1] - a[1])[0];
    const on = fs.filter((f) => f.onPolicy);
    const onCount = (pred: (c: PairedComparison) => boolean) => on.filter((f) => f.onPolicy!.verdict !== "within noise" && f.onPolicy!.verdict !== "one run" && pred(f.onPolicy!)).length;
    const parts = [
      `**${d} decoding**, at the largest budget of each of the ${fs.length} cells (task × learner × start): the paper's claim — single-turn GRPO on expert states beats the best multi-turn method at equal sampled actions — holds in ${n("holds")}, is reversed in ${n("reversed")} and is within noise in ${n("within noise")}${n("one seed") ? ` (one seed: ${n("one seed")})` : ""}.`,
      worst && worst.paper!.comparison!.diff < 0
        ? `${worst.paper!.verdict === "reversed" ? "The largest reversal" : "The largest gap against the claim (within noise)"}: ${where(worst)}, ${diffText(worst.paper!.comparison)} against ${title(worst.paper!.against)}.`
        : "",
      best && best.paper!.comparison!.diff > 0 ? `The largest margin in the claim's favour: ${where(best)}, ${diffText(best.paper!.comparison)} against ${title(best.paper!.against)}${best.paper!.verdict === "holds" ? "" : ` (${best.paper!.verdict})`}.` : "",
      `${capitalised(title(top))} ranks first in ${topCount} of ${fs.length} cells.`,
      on.length ? `On-policy labels against expert-state GRPO: clearly better in ${onCount((c) => c.diff > 0)}, clearly worse in ${onCount((c) => c.diff < 0)}, within noise in ${on.length - onCount(() => true)} of ${on.length}.` : "",
    ];
    out.push(parts.filter(Boolean).join(" "));
  }
  return out.join("\n\n") + "\n";
}

/** The whole summary as one Markdown document (comparison.md). */
export function comparisonMarkdown(s: ComparisonSummary): string {
  const decodings = s.config.eval.decodings.map((d) => d.id);
  return [
    `# Single-turn vs multi-turn RL at equal sampled actions (${s.profile} profile)\n`,
    `Methods from the same SFT start, each trained to budget points of sampled actions (lib/learn/samples.ts), ${s.config.seeds.length} training seeds, every policy on the first ${s.config.eval.layouts} evaluation layouts under ${decodings.join(" and ")} decoding. Differences are paired by seed; the interval is the 95% t interval across seeds.\n`,
    `## The answer\n\n${verdictMarkdown(s)}`,
    `## The paper's claim, tallied\n\n${claimTallyMarkdown(s)}`,
    `## Findings at the largest budget\n\n${findingsTableMarkdown(s, { largestOnly: true })}`,
    `## Findings at every budget point\n\n${findingsTableMarkdown(s)}`,
    ...decodings.map((d) => `## SR against sampled actions (${d})\n\n${curvesMarkdown(s, d)}`),
    `## Steps beyond the optimum and wall time\n\n${costMarkdown(s)}`,
    ...decodings.map((d) => `## At equal training time (${d})\n\n${equalTimeMarkdown(s, d)}`),
    `## The per-state premises after training\n\n${theoryMarkdown(s)}`,
    `## Timings\n\n${comparisonTimingsMarkdown(s)}`,
  ].join("\n");
}
