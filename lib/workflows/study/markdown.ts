/**
 * The study's summary as Markdown: what the notebook shows section by section and summary.md holds.
 * Every function takes the summary (or a part of it) and returns a Markdown string.
 */
import { taskTitle } from "../../report/paper";
import type { PairedComparison } from "./compare";
import { crossGrid, table1IntervalGrid } from "../../report/grid";
import { gridToMarkdown } from "../../report/markup";
import type { ResultSet } from "../../report/types";
import { CLAIMS } from "./claims";
import type { Finding, StudySummary, TheoryPairRow, TrainingRow } from "./types";

const f2 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(2));
const f3 = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(3));
const ci2 = (c: [number, number] | null | undefined) => (c ? ` [${c[0].toFixed(2)}, ${c[1].toFixed(2)}]` : "");
const signed = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(2)}`;

function table(header: string[], rows: string[][]): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  return [`| ${header.map(esc).join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`)].join("\n") + "\n";
}

const VERDICT: Record<string, string> = { "a better": "yes", "b better": "reversed", "within noise": "within noise", "one run": "one run (no interval)" };

export function comparisonText(c: PairedComparison | null): string {
  if (!c) return "—";
  return `${f2(c.a)} vs ${f2(c.b)}: ${signed(c.diff)}${c.diff_ci ? ` [${signed(c.diff_ci[0])}, ${signed(c.diff_ci[1])}]` : ""} (${c.pairs} seed${c.pairs === 1 ? "" : "s"})`;
}

/** The findings of one protocol as a table: claim, task, comparison, verdict. */
export function findingsMarkdown(findings: Finding[], protocol: string): string {
  const rows = findings
    .filter((f) => f.protocol === protocol)
    .map((f) => [f.id, taskTitle(f.task), f.arm || "main", f.what, comparisonText(f.comparison), f.comparison ? VERDICT[f.comparison.verdict] : "no data"]);
  return table(["finding", "task", "arm", "compared", "A vs B: difference [95% CI across seeds]", "A better?"], rows);
}

/** One line per finding kind: how many of its comparisons hold, are within noise, or reverse. */
export function findingsTally(findings: Finding[], protocol: string): string {
  const kinds = [...new Set(findings.map((f) => f.id))];
  const lines = kinds.map((id) => {
    const fs = findings.filter((f) => f.protocol === protocol && f.id === id);
    const count = (v: string) => fs.filter((f) => f.comparison?.verdict === v).length;
    return `- **${id}** (${CLAIMS[id]}): ${count("a better")} of ${fs.length} comparisons hold, ${count("within noise")} within noise, ${count("b better")} reversed${count("one run") ? `, ${count("one run")} with one seed` : ""}.`;
  });
  return lines.join("\n") + "\n";
}

/** Training runs, averaged over seeds per (task, variant). */
export function trainingMarkdown(rows: TrainingRow[]): string {
  const groups = new Map<string, TrainingRow[]>();
  for (const r of rows) groups.set(`${r.task}|${r.variant}`, [...(groups.get(`${r.task}|${r.variant}`) ?? []), r]);
  const avg = (rs: TrainingRow[], get: (r: TrainingRow) => number | null | undefined) => {
    const xs = rs.map(get).filter((x): x is number => typeof x === "number");
    return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
  };
  const out = [...groups.values()].map((rs) => {
    const r = rs[0];
    const main = r.variant.startsWith("multiturn") ? `success ${f2(avg(rs, (x) => x.last.success))}` : r.variant.startsWith("sft") ? `loss ${f3(avg(rs, (x) => x.last.loss))}` : `reward ${f3(avg(rs, (x) => x.last.reward))}`;
    return [
      taskTitle(r.task),
      r.model,
      String(rs.length),
      main,
      f3(avg(rs, (x) => x.last.p_expert)),
      f3(avg(rs, (x) => x.lastEval?.acc)),
      f3(avg(rs, (x) => x.last.kl)),
      f2(avg(rs, (x) => x.last.zero_adv_frac)),
      String(Math.round(avg(rs, (x) => x.samples) ?? 0) || "—"),
      f2(avg(rs, (x) => x.seconds)),
    ];
  });
  return table(["task", "model", "seeds", "final train objective", "p(a^GT) last batch", "held-out acc", "KL to ref", "zero-adv groups", "samples", "s per run"], out);
}

/** Corollary 3.1 / Assumption 3.1: per-state expert-action probability before (SFT) and after. */
export function theoryPairsMarkdown(rows: TheoryPairRow[]): string {
  const out = rows.map((r) => [
    taskTitle(r.task),
    r.arm || "main",
    r.variant,
    r.where,
    String(r.states),
    f2(r.improved),
    `${f3(r.meanBefore)} → ${f3(r.meanAfter)}`,
    `${f2(r.unique.improved)} (${r.unique.states}) / ${f2(r.ambiguous.improved)} (${r.ambiguous.states})`,
    r.optimalSet ? `${f2(r.optimalSet.improved)}: ${f3(r.optimalSet.meanBefore)} → ${f3(r.optimalSet.meanAfter)}` : "",
    r.worst.map((w) => `${w.action || "?"} @${w.seed}/t${w.t}: ${f2(w.before)}→${f2(w.after)}`).join("; "),
  ]);
  return table(["task", "arm", "after", "states", "n", "share not worse", "mean π(a^GT|s)", "not worse: unique / ambiguous (n)", "optimal set: not worse, mean", "largest drops"], out);
}

export function theoremsMarkdown(s: StudySummary): string {
  const rows = s.theorems.map((r) => [taskTitle(r.task), r.model, String(r.seeds), f3(r.accuracy), f3(r.predicted), f3(r.measured)]);
  const t33 = s.theorem33.map((r) => [taskTitle(r.task), r.arm || "main", r.variant, comparisonText(r.comparison), r.comparison ? VERDICT[r.comparison.verdict] : "—"]);
  return (
    "**Theorem 3.2** — the product predictor Π π(a_t|s_t) against the measured minimal-step success (Monte Carlo), mean over evaluation layouts and seeds:\n\n" +
    table(["task", "model", "seeds", "mean π(a^GT|s)", "predicted Π", "measured"], rows) +
    "\n**Theorem 3.3** — measured minimal-step success after vs before (the SFT parent), paired by seed:\n\n" +
    table(["task", "arm", "after", "after vs before", "higher?"], t33)
  );
}

export function timingsMarkdown(s: StudySummary): string {
  const t = s.timings;
  const stages = Object.entries(t.byStage).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(", ");
  const wall = t.wall === null ? "" : `Wall time ${t.wall.toFixed(0)} s (${(t.wall / 60).toFixed(1)} min) from the first job to the last; `;
  return `${wall}the jobs' own times add up to ${t.total.toFixed(0)} s over ${t.jobs} jobs (workers run side by side) — ${stages}; ${t.cores} cores, mean 1-minute load ${t.meanLoad1 === null ? "—" : t.meanLoad1.toFixed(2)} while they ran.\n`;
}

export function excessMarkdown(s: StudySummary, protocol: string): string {
  const p = s.protocols.find((x) => x.protocol === protocol);
  if (!p || !p.excess.length) return "";
  return table(
    ["task", "model", "runs", "excess steps per success [95% CI]"],
    p.excess.map((e) => [taskTitle(e.task), e.model, String(e.runs), `${f2(e.excess)}${ci2(e.excess_ci)}`]),
  );
}

/** One protocol's tables: lib/report's Table 1 with intervals and Tables 2–4 (SFT+GRPO's cross-task cells). */
export function resultTablesMarkdown(rs: ResultSet): string {
  return [table1IntervalGrid(rs), crossGrid(rs, "sr"), crossGrid(rs, "asat"), crossGrid(rs, "asst")].map(gridToMarkdown).join("\n");
}

/** One protocol's findings: the tally, then every comparison. */
export function findingsSectionMarkdown(s: StudySummary, protocol: string): string {
  return findingsTally(s.findings, protocol) + "\n" + findingsMarkdown(s.findings, protocol);
}

/** The whole summary; `tables` holds each protocol's `resultTablesMarkdown`. */
export function summaryMarkdown(s: StudySummary, tables: Record<string, string>): string {
  const parts: string[] = [];
  parts.push(`# CPU-scale study — profile ${s.profile}${s.config.env && s.config.env !== "robotouille" ? `, ${s.config.env}` : ""}\n`);
  parts.push(`Not the paper's GPU numbers: a log-linear policy over text features (lib/learn) on the paper's recipe. Tasks ${s.config.tasks.join(", ")}; training seeds ${s.config.seeds.join(", ")}; ${s.config.expert.perTask} expert layouts per task (${Math.round(s.config.expert.valFraction * 100)}% held out).\n`);
  parts.push(timingsMarkdown(s));
  for (const p of s.protocols) {
    parts.push(`## Protocol ${p.protocol}\n`);
    parts.push(tables[p.protocol] ?? "");
    parts.push(`### Findings (${p.protocol})\n`);
    parts.push(findingsSectionMarkdown(s, p.protocol));
    const ex = excessMarkdown(s, p.protocol);
    if (ex) parts.push(`### Excess steps over the minimal (${p.protocol})\n\n${ex}`);
  }
  parts.push("## Training runs\n");
  parts.push(trainingMarkdown(s.training));
  parts.push("## Theory on real training\n");
  parts.push(theoryPairsMarkdown(s.theoryPairs));
  parts.push(theoremsMarkdown(s));
  return parts.join("\n");
}
