/**
 * The study's summary: Table 1 and the cross-task cells per protocol (lib/report's aggregation: mean and
 * 95% t interval across training seeds), the paper's qualitative findings tested with paired
 * comparisons across seeds, the training runs' final metrics, the β sweep, the theory checks and the
 * wall times. Written as results/<profile>/summary/summary.{json,md}; the JSON is small enough to commit
 * (`paper-figures/<profile>/study/`), and holds everything a reader needs to check the numbers against
 * the episode files.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { summarizeEpisodes, tInterval } from "../../report/aggregate";
import type { EpisodeLike } from "../../report/load";
import type { EpisodeRecord } from "../../eval/episode";
import { profileTitle } from "../../report/study";
import type { CellStats, ResultSet } from "../../report/types";
import { readJsonFile, readJsonl, writeFileAtomic } from "../../util/files";
import { figuresDir, repoPath } from "../../util/profile";
import type { StudyConfig } from "./config";
import { pairedComparison, PairedComparison } from "./compare";
import { envDir, evalFile, modelLabel, ModelRun, referenceFile, studyDirs, studyProtocols, studyRuns } from "./plan";
import { readTheory, TheoryRecord, OffPathRecord } from "./theory";
import { resultTablesMarkdown, summaryMarkdown } from "./markdown";
import type { Finding, ProtocolSummary, StudySummary, SummaryCell, TheoremSummaryRow, TheoryPairRow, TrainingRow } from "./types";
export type { Finding, ProtocolSummary, StudySummary, SummaryCell, TheoremSummaryRow, TheoryPairRow, TrainingRow };
import { CLAIMS } from "./claims";

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const ci4 = (c: [number, number] | null) => (c ? ([r4(c[0]), r4(c[1])] as [number, number]) : null);

function cell(c: CellStats, model: string, trainedOn: string | null, task: string): SummaryCell {
  return {
    model,
    trained_on: trainedOn,
    task,
    runs: c.runs,
    n: c.n,
    sr: r4(c.sr),
    sr_ci: ci4(c.sr_ci),
    asat: r4(c.asat),
    asat_ci: ci4(c.asat_ci),
    asst: c.asst === null ? null : r4(c.asst),
    asst_ci: ci4(c.asst_ci),
  };
}

/** Per-run values of one cell of a ResultSet (run id → SR/ASAT/ASST). */
export function runValues(rs: ResultSet, sel: { model: string; task: string; trained_on?: string }, metric: "sr" | "asat" | "asst"): Map<string, number> {
  const table = sel.trained_on === undefined ? "table1" : "cross_task";
  const out = new Map<string, number>();
  for (const r of rs.runMetrics) {
    if (r.table !== table || r.model !== sel.model || r.task !== sel.task || (table === "cross_task" && r.trained_on !== sel.trained_on)) continue;
    const v = r[metric];
    if (v !== null) out.set(r.run, v);
  }
  return out;
}

type EpisodeLite = Pick<EpisodeRecord, "run" | "model" | "trained_on" | "task" | "seed" | "success" | "steps">;

/** T*(task, seed): the planner's steps on the protocol's layouts (its episodes), when it was evaluated. */
function minimalSteps(cfg: StudyConfig, protocol: string): Map<string, number> {
  const minimal = new Map<string, number>();
  const file = referenceFile(cfg, protocol, "expert");
  if (fs.existsSync(file)) for (const e of readJsonl<EpisodeLite>(file)) if (e.success) minimal.set(`${e.task}|${e.seed}`, e.steps);
  return minimal;
}

/**
 * Excess steps of successful episodes over the minimal ones (steps − T*), per own-task cell and run:
 * ASST mixes how many layouts a model solves with how directly it solves them; this isolates the latter.
 */
function excessSteps(cfg: StudyConfig, protocol: string, runs: ModelRun[]): ProtocolSummary["excess"] {
  const minimal = minimalSteps(cfg, protocol);
  if (minimal.size === 0) return [];
  const files = [...cfg.seeds.map((s) => referenceFile(cfg, protocol, `untrained-s${s}`)), ...runs.map((r) => evalFile(cfg, protocol, r))];
  const cells = new Map<string, { model: string; trained_on: string | null; task: string; perRun: Map<string, number[]> }>();
  for (const f of files) {
    if (!fs.existsSync(f)) continue;
    for (const e of readJsonl<EpisodeLite>(f)) {
      if (e.trained_on !== null && e.trained_on !== e.task) continue;
      const key = `${e.model}|${e.task}`;
      let c = cells.get(key);
      if (!c) cells.set(key, (c = { model: e.model, trained_on: e.trained_on, task: e.task, perRun: new Map() }));
      const list = c.perRun.get(e.run) ?? [];
      const t = minimal.get(`${e.task}|${e.seed}`);
      if (e.success && t !== undefined) list.push(e.steps - t);
      c.perRun.set(e.run, list);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return [...cells.values()]
    .map((c) => {
      const perRun = [...c.perRun.values()].filter((l) => l.length).map(mean);
      return { model: c.model, trained_on: c.trained_on, task: c.task, runs: c.perRun.size, n: perRun.length, excess: perRun.length ? r4(mean(perRun)) : null, excess_ci: ci4(tInterval(perRun)) };
    })
    .sort((a, b) => a.task.localeCompare(b.task) || a.model.localeCompare(b.model));
}

/** Excess steps per run of one own-task cell (for the steps finding). */
function excessByRun(cfg: StudyConfig, protocol: string, runs: ModelRun[], model: string, task: string): Map<string, number> {
  const minimal = minimalSteps(cfg, protocol);
  const out = new Map<string, number>();
  for (const r of runs) {
    if (r.model !== model || r.task !== task || !fs.existsSync(evalFile(cfg, protocol, r))) continue;
    const eps = readJsonl<EpisodeLite>(evalFile(cfg, protocol, r)).filter((e) => e.task === task && e.success && minimal.has(`${e.task}|${e.seed}`));
    if (eps.length) out.set(`s${r.seed}`, eps.reduce((a, e) => a + e.steps - minimal.get(`${e.task}|${e.seed}`)!, 0) / eps.length);
  }
  return out;
}


function roundComparison(c: PairedComparison | null): PairedComparison | null {
  return c && { ...c, a: r4(c.a), b: r4(c.b), diff: r4(c.diff), diff_ci: ci4(c.diff_ci) };
}

/** The paper's qualitative findings, each as paired comparisons across training seeds. */
function findings(cfg: StudyConfig, protocol: string, rs: ResultSet, runs: ModelRun[]): Finding[] {
  const out: Finding[] = [];
  const add = (f: Omit<Finding, "protocol">) => out.push({ ...f, comparison: roundComparison(f.comparison), protocol });
  const hardest = cfg.tasks.includes("double_cheese_burger") ? "double_cheese_burger" : cfg.tasks[cfg.tasks.length - 1];
  for (const arm of cfg.arms) {
    const sft = modelLabel("sft", arm.id);
    const grpo = modelLabel("sft+grpo", arm.id);
    const mt = modelLabel("multiturn-grpo", arm.id);
    for (const task of cfg.tasks) {
      const v = (model: string, m: "sr" | "asst") => runValues(rs, { model, task }, m);
      add({ id: "ordering", task, arm: arm.id, what: `${grpo} vs ${sft} (SR)`, comparison: pairedComparison(v(grpo, "sr"), v(sft, "sr"), true) });
      add({ id: "ordering", task, arm: arm.id, what: `${sft} vs untrained (SR)`, comparison: pairedComparison(v(sft, "sr"), v("untrained", "sr"), true) });
      add({ id: "steps", task, arm: arm.id, what: `${grpo} vs ${sft} (ASST)`, comparison: pairedComparison(v(grpo, "asst"), v(sft, "asst"), false) });
      add({
        id: "steps",
        task,
        arm: arm.id,
        what: `${grpo} vs ${sft} (excess steps over the minimal, per success)`,
        comparison: pairedComparison(excessByRun(cfg, protocol, runs, grpo, task), excessByRun(cfg, protocol, runs, sft, task), false),
      });
      if (arm.multiturn) {
        add({ id: "single-vs-multi", task, arm: arm.id, what: `${grpo} vs ${mt} (SR)`, comparison: pairedComparison(v(grpo, "sr"), v(mt, "sr"), true) });
      }
    }
    if (!arm.crossTask) continue;
    for (const task of cfg.evalTasks) {
      if (task === hardest) continue;
      const cross = (trained: string, evaluated: string) => runValues(rs, { model: grpo, task: evaluated, trained_on: trained }, "sr");
      const untrained = (evaluated: string) => runValues(rs, { model: "untrained", task: evaluated }, "sr");
      add({ id: "transfer", task, arm: arm.id, what: `${grpo} trained on ${hardest}, evaluated on ${task}, vs untrained (SR)`, comparison: pairedComparison(cross(hardest, task), untrained(task), true) });
      if (cfg.tasks.includes(task)) {
        add({ id: "transfer", task, arm: arm.id, what: `${grpo} trained on ${task}, evaluated on ${hardest}, vs untrained (SR)`, comparison: pairedComparison(cross(task, hardest), untrained(hardest), true) });
      }
    }
  }
  return out;
}

/** The metrics a training row keeps (the rest stay in the run's metrics.jsonl). */
const KEPT_METRICS = ["loss", "acc", "p_expert", "reward", "kl", "zero_adv_frac", "success", "mean_steps"];

function lastRecord(file: string, split: string): Record<string, number> | null {
  const recs = readJsonl<Record<string, unknown>>(file).filter((r) => (r.split ?? "train") === split);
  const last = recs[recs.length - 1];
  if (!last) return null;
  const out: Record<string, number> = {};
  for (const k of KEPT_METRICS) if (typeof last[k] === "number" && Number.isFinite(last[k])) out[k] = r4(last[k] as number);
  return out;
}

function readTimings(cfg: StudyConfig): { job: string; stage: string; seconds: number; load1?: number; finished_at?: string }[] {
  return readJsonl(studyDirs(cfg).timings);
}

function trainingRows(cfg: StudyConfig, runs: ModelRun[]): TrainingRow[] {
  const seconds = new Map<string, number>();
  for (const t of readTimings(cfg)) seconds.set(t.job, (seconds.get(t.job) ?? 0) + t.seconds);
  return runs
    .filter((r) => fs.existsSync(path.join(r.dir, "policy.json")))
    .map((r) => {
      const metrics = path.join(r.dir, "metrics.jsonl");
      const meta = readJsonFile<{ meta: Record<string, unknown> }>(path.join(r.dir, "policy.json")).meta;
      return {
        key: r.key,
        task: r.task,
        variant: r.variant,
        model: r.model,
        seed: r.seed,
        last: lastRecord(metrics, "train") ?? {},
        lastEval: lastRecord(metrics, "eval"),
        steps: Number(meta.steps ?? 0),
        samples: typeof meta.samples === "number" ? meta.samples : null,
        seconds: seconds.has(`train ${r.key}`) ? r4(seconds.get(`train ${r.key}`)!) : null,
      };
    });
}

/** Before/after pairs of the theory checks: each child run against its SFT parent. */
export function theoryPairs(task: string, models: TheoryRecord[], offPath: OffPathRecord[]): TheoryPairRow[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  const groups = new Map<string, { before: number[]; after: number[]; amb: boolean[]; where: { seed: number | null; t: number; action: string }[]; arm: string; variant: string }>();
  for (const child of models) {
    if (!child.parent) continue;
    const parent = byName.get(child.parent);
    if (!parent) continue;
    const key = `${child.arm}|${child.variant}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { before: [], after: [], amb: [], where: [], arm: child.arm, variant: child.variant }));
    child.report.trajectories.forEach((tr, i) => {
      const pt = parent.report.trajectories[i];
      tr.p.forEach((p, t) => {
        g!.before.push(pt.p[t]);
        g!.after.push(p);
        g!.amb.push((child.optimalCounts[i]?.[t] ?? 1) > 1);
        g!.where.push({ seed: tr.seed, t, action: child.expertActions[i]?.[t] ?? "" });
      });
    });
  }
  const rows: TheoryPairRow[] = [];
  const tol = 1e-9;
  const summarise = (before: number[], after: number[], amb: boolean[], where: { seed: number | null; t: number; action: string }[]) => {
    const idx = before.map((_, i) => i);
    const imp = (is: number[]) => (is.length ? is.filter((i) => after[i] >= before[i] - tol).length / is.length : 0);
    const ambI = idx.filter((i) => amb[i]);
    const uniI = idx.filter((i) => !amb[i]);
    const worst = idx
      .filter((i) => after[i] < before[i] - tol)
      .sort((a, b) => after[a] - before[a] - (after[b] - before[b]))
      .slice(0, 2)
      .map((i) => ({ ...where[i], before: r4(before[i]), after: r4(after[i]) }));
    const avg = (xs: number[]) => (xs.length ? r4(xs.reduce((a, b) => a + b, 0) / xs.length) : 0);
    return { states: idx.length, improved: r4(imp(idx)), meanBefore: avg(before), meanAfter: avg(after), ambiguous: { states: ambI.length, improved: r4(imp(ambI)) }, unique: { states: uniI.length, improved: r4(imp(uniI)) }, worst };
  };
  for (const g of groups.values()) rows.push({ task, arm: g.arm, variant: g.variant, where: "expert states", ...summarise(g.before, g.after, g.amb, g.where) });
  // Off-path states: the SFT run's own states, each child's probabilities there.
  const off = new Map<string, { before: number[]; after: number[]; beforeSet: number[]; afterSet: number[]; amb: boolean[]; where: { seed: number | null; t: number; action: string }[]; arm: string; variant: string }>();
  for (const rec of offPath) {
    const [parentName, ...children] = rec.models;
    for (const child of children) {
      const variant = child.replace(/-s\d+$/, "");
      const key = `${rec.arm}|${variant}`;
      let g = off.get(key);
      if (!g) off.set(key, (g = { before: [], after: [], beforeSet: [], afterSet: [], amb: [], where: [], arm: rec.arm, variant }));
      for (const s of rec.states) {
        g.before.push(s.p[parentName][0]);
        g.after.push(s.p[child][0]);
        g.beforeSet.push(s.p[parentName][1]);
        g.afterSet.push(s.p[child][1]);
        g.amb.push(s.optimal.length > 1);
        g.where.push({ seed: s.seed, t: s.t, action: s.expert });
      }
    }
  }
  for (const g of off.values()) {
    const set = summarise(g.beforeSet, g.afterSet, g.amb, g.where);
    rows.push({ task, arm: g.arm, variant: g.variant, where: "off-path states", ...summarise(g.before, g.after, g.amb, g.where), optimalSet: { improved: set.improved, meanBefore: set.meanBefore, meanAfter: set.meanAfter } });
  }
  return rows;
}

/** Theorem 3.2 (and Corollary 3.2's prefixes) per model variant, averaged over training seeds. */
export function theoremRows(task: string, models: TheoryRecord[]): TheoremSummaryRow[] {
  const byVariant = new Map<string, TheoryRecord[]>();
  for (const m of models) byVariant.set(m.variant, [...(byVariant.get(m.variant) ?? []), m]);
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
  return [...byVariant.values()].map((ms) => {
    const rows = ms.map((m) => m.report.rows.find((r) => r.task === task)!).filter(Boolean);
    const kMax = Math.max(0, ...ms.flatMap((m) => m.report.prefixes.map((p) => p.k)));
    const r3 = (x: number) => Math.round(x * 1e3) / 1e3;
    const prefix = { predicted: [] as number[], measured: [] as number[] };
    for (let k = 1; k <= kMax; k++) {
      const ps = ms.flatMap((m) => m.report.prefixes.filter((p) => p.k === k));
      prefix.predicted.push(r3(avg(ps.map((p) => p.predicted))));
      prefix.measured.push(r3(avg(ps.map((p) => p.measured))));
    }
    const measured = rows.map((r) => r.measured).filter((x): x is number => x !== null);
    return {
      task,
      variant: ms[0].variant,
      model: ms[0].model,
      seeds: ms.length,
      accuracy: r4(avg(rows.map((r) => r.accuracy))),
      predicted: r4(avg(rows.map((r) => r.predicted))),
      measured: measured.length ? r4(avg(measured)) : null,
      prefix,
    };
  });
}

/** Theorem 3.3 on the study: each child's measured minimal-step success against its parent's, paired by seed. */
function theorem33(task: string, models: TheoryRecord[]): StudySummary["theorem33"] {
  const byName = new Map(models.map((m) => [m.name, m]));
  const groups = new Map<string, { arm: string; variant: string; after: Map<string, number>; before: Map<string, number> }>();
  for (const c of models) {
    const p = c.parent ? byName.get(c.parent) : undefined;
    const mc = c.report.rows[0]?.measured;
    const mp = p?.report.rows[0]?.measured;
    if (!p || mc === null || mc === undefined || mp === null || mp === undefined) continue;
    const key = `${c.arm}|${c.variant}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { arm: c.arm, variant: c.variant, after: new Map(), before: new Map() }));
    g.after.set(`s${c.seed}`, mc);
    g.before.set(`s${c.seed}`, mp);
  }
  return [...groups.values()].map((g) => ({ task, arm: g.arm, variant: g.variant, comparison: roundComparison(pairedComparison(g.after, g.before, true)) }));
}

function timings(cfg: StudyConfig): StudySummary["timings"] {
  const byStage: Record<string, number> = {};
  const ts = readTimings(cfg);
  // Wall time: from the first job's start to the last job's end (workers overlap; reruns add gaps).
  const ends = ts.map((t) => Date.parse(t.finished_at ?? ""));
  const starts = ts.map((t, i) => ends[i] - t.seconds * 1000);
  const wall = ts.length && ends.every(Number.isFinite) ? r4((Math.max(...ends) - Math.min(...starts)) / 1000) : null;
  for (const t of ts) byStage[t.stage] = r4((byStage[t.stage] ?? 0) + t.seconds);
  const loads = ts.map((t) => t.load1).filter((x): x is number => typeof x === "number");
  return {
    byStage,
    total: r4(Object.values(byStage).reduce((a, b) => a + b, 0)),
    wall,
    jobs: ts.length,
    meanLoad1: loads.length ? r4(loads.reduce((a, b) => a + b, 0) / loads.length) : null,
    cores: os.cpus().length,
  };
}

/** The study's own episode files of a protocol: every run's and the references'. */
export function studyEpisodeFiles(cfg: StudyConfig, protocol: string): string[] {
  const refs = [...cfg.seeds.map((s) => `untrained-s${s}`), ...(cfg.eval.expert ? ["expert"] : [])].map((n) => referenceFile(cfg, protocol, n));
  return [...refs, ...studyRuns(cfg).map((r) => evalFile(cfg, protocol, r))].filter((f) => fs.existsSync(f));
}

/**
 * One protocol's episodes of the study as lib/report's ResultSet (Table 1, the cross-task cells, the
 * per-run metrics). Only the study's own files are read: other notebooks may write episodes of the
 * same checkpoints (notebook 06 evaluates every run under learn/ greedily) into the same tree.
 */
export function studyResults(cfg: StudyConfig, protocol: string): ResultSet {
  const files = studyEpisodeFiles(cfg, protocol);
  const episodes = files.flatMap((f) => readJsonl<EpisodeLike>(f));
  const dir = path.join(studyDirs(cfg).eval, protocol);
  return summarizeEpisodes(episodes, {
    title: profileTitle(cfg.profile),
    profile: cfg.profile,
    source: repoPath(dir),
    command: `stgrpo study${cfg.env && cfg.env !== "robotouille" ? ` --env ${cfg.env}` : ""} --profile ${cfg.profile} (episodes: ${files.length} files under ${repoPath(dir)})`,
  });
}

/** Build the summary from the study's files (every stage before it must have run). */
export function buildSummary(cfg: StudyConfig): StudySummary {
  const runs = studyRuns(cfg);
  const dirs = studyDirs(cfg);
  const protocols: ProtocolSummary[] = [];
  const found: Finding[] = [];
  for (const p of studyProtocols(cfg)) {
    const rs = studyResults(cfg, p.name);
    protocols.push({
      protocol: p.name,
      title: rs.title,
      table1: rs.table1.map((c) => cell(c, c.model, null, c.task)),
      cross: rs.cross.map((c) => cell(c, c.model, c.trained_on, c.evaluated_on)),
      excess: excessSteps(cfg, p.name, runs),
    });
    found.push(...findings(cfg, p.name, rs, runs));
  }
  const theoryPairRows: TheoryPairRow[] = [];
  const theoremSummary: TheoremSummaryRow[] = [];
  const t33: StudySummary["theorem33"] = [];
  for (const task of cfg.tasks) {
    const { models, offPath } = readTheory(cfg, task);
    theoryPairRows.push(...theoryPairs(task, models, offPath));
    theoremSummary.push(...theoremRows(task, models));
    t33.push(...theorem33(task, models));
  }
  return {
    profile: cfg.profile,
    config: cfg,
    protocols,
    findings: found,
    training: trainingRows(cfg, runs),
    theorem33: t33,
    theoryPairs: theoryPairRows,
    theorems: theoremSummary,
    timings: timings(cfg),
  };
}

/**
 * JSON with one line per array element and per top-level field: small, and a diff shows which cell
 * changed.
 */
export function linesJson(value: unknown): string {
  if (Array.isArray(value)) return value.length ? `[\n${value.map((v) => JSON.stringify(v)).join(",\n")}\n]` : "[]";
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${JSON.stringify(k)}: ${linesJson(v)}`);
    return `{\n${entries.join(",\n")}\n}`;
  }
  return JSON.stringify(value);
}

/** Build and write summary.{json,md} under results/<profile>/summary and a copy under paper-figures/<profile>/study. */
export function writeSummary(cfg: StudyConfig): StudySummary {
  const s = buildSummary(cfg);
  const tables = Object.fromEntries(s.protocols.map((p) => [p.protocol, resultTablesMarkdown(studyResults(cfg, p.protocol))]));
  const md = summaryMarkdown(s, tables);
  const json = linesJson(s) + "\n";
  // The committed copy (paper-figures/<profile>/study) only for the profile's own results tree.
  const dirs = cfg.root ? [studyDirs(cfg).summary] : [studyDirs(cfg).summary, figuresDir(cfg.profile, ...envDir(cfg), "study")];
  for (const dir of dirs) {
    writeFileAtomic(path.join(dir, "summary.json"), json);
    writeFileAtomic(path.join(dir, "summary.md"), md);
  }
  return s;
}
