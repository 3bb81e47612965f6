/**
 * The comparison's summary (types.ts): every policy's SR and steps beyond the optimum per decoding (the
 * curves' points; curves.ts aggregates them across seeds), the findings per task,
 * learner, start, budget and decoding (paired comparisons across seeds, study/compare.ts), the theory
 * rates per method, and the wall times. Written as results/<profile>/comparison/summary/summary.{json,md}
 * and, for a profile's own results tree, paper-figures/<profile>/study/comparison.{json,md} (tracked
 * for cpu, beside the study's summary).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { familyOf } from "../../env/index";
import { readJsonl, writeFileAtomic } from "../../util/files";
import { figuresDir } from "../../util/profile";
import { pairedComparison, PairedComparison } from "../study/compare";
import { linesJson } from "../study/summary";
import { ComparisonConfig, Method, MULTI_TURN_METHODS } from "./config";
import { readEvalFile, readOptimalLengths } from "./evaluate";
import { comparisonMarkdown } from "./markdown";
import { comparisonDirs, comparisonEvalFile, comparisonStarts } from "./plan";
import { envDir } from "../study/plan";
import { readComparisonTheory } from "./theory";
import { PolicyPoint } from "./curves";
import type { ClaimVerdict, ComparisonSummary, FindingRow, Model, TheoryRow } from "./types";
export type { ComparisonSummary, CurveRow, FindingRow, TheoryRow } from "./types";

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const ci4 = (c: [number, number] | null) => (c ? ([r4(c[0]), r4(c[1])] as [number, number]) : null);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Every evaluated policy of the comparison (the starts at budget 0), read from its evaluation files. */
export function comparisonPoints(cfg: ComparisonConfig): PolicyPoint[] {
  const out: PolicyPoint[] = [];
  const optimal = new Map<string, Map<number | null, number>>();
  for (const s of comparisonStarts(cfg)) {
    if (!optimal.has(s.task)) optimal.set(s.task, readOptimalLengths(cfg, s.task));
    const tstar = optimal.get(s.task)!;
    for (const model of ["start", ...cfg.methods] as Model[]) {
      const ev = readEvalFile(comparisonEvalFile(cfg, s, model));
      if (!ev) continue;
      for (const p of ev.points) {
        const sr: Record<string, number> = {};
        const excess: Record<string, number | null> = {};
        for (const [d, steps] of Object.entries(p.steps)) {
          sr[d] = r4(steps.filter((x) => x !== null).length / steps.length);
          const beyond = steps.flatMap((x, i) => (x !== null && tstar.has(ev.layouts[i]) ? [x - tstar.get(ev.layouts[i])!] : []));
          excess[d] = beyond.length ? r4(mean(beyond)) : null;
        }
        const { budget, samples, rollout_samples, group_samples, seconds, cpu_seconds } = p;
        out.push({ method: model, task: s.task, learner: s.learner, arm: s.arm, seed: s.seed, budget, samples, rollout_samples, group_samples, seconds: r4(seconds), cpu_seconds: r4(cpu_seconds ?? 0), sr, excess });
      }
    }
  }
  return out;
}

function roundComparison(c: PairedComparison | null): PairedComparison | null {
  return c && { ...c, a: r4(c.a), b: r4(c.b), diff: r4(c.diff), diff_ci: ci4(c.diff_ci) };
}

const CLAIM: Record<string, ClaimVerdict> = { "a better": "holds", "b better": "reversed", "within noise": "within noise", "one run": "one seed" };

/** The findings: per task, learner, start, budget point and decoding, who wins and what it says about the paper's claim. */
export function comparisonFindings(cfg: ComparisonConfig, points: PolicyPoint[]): FindingRow[] {
  const rows: FindingRow[] = [];
  for (const cell of cfg.cells)
    for (const task of cell.tasks)
      for (const arm of cell.arms)
        for (const budget of cell.budgets)
          for (const d of cfg.eval.decodings) {
            const perSeed = (m: Method) =>
              new Map(points.filter((p) => p.method === m && p.task === task && p.learner === cell.learner && p.arm === arm && p.budget === budget).map((p) => [`s${p.seed}`, p.sr[d.id]]));
            const series = new Map(cfg.methods.map((m) => [m, perSeed(m)]));
            const present = cfg.methods.filter((m) => series.get(m)!.size > 0);
            if (present.length === 0) continue;
            const ranking = present.map((m) => ({ method: m, sr: r4(mean([...series.get(m)!.values()])) })).sort((a, b) => b.sr - a.sr);
            const margin = ranking.length > 1 ? roundComparison(pairedComparison(series.get(ranking[0].method)!, series.get(ranking[1].method)!, true)) : null;
            const multi = ranking.find((r) => MULTI_TURN_METHODS.includes(r.method));
            const paperCmp = present.includes("grpo") && multi ? roundComparison(pairedComparison(series.get("grpo")!, series.get(multi.method)!, true)) : null;
            rows.push({
              env: familyOf(task).name,
              task,
              learner: cell.learner,
              arm,
              budget,
              decoding: d.id,
              ranking,
              margin,
              paper: multi && present.includes("grpo") ? { against: multi.method, comparison: paperCmp, verdict: paperCmp ? CLAIM[paperCmp.verdict] : "one seed" } : null,
              onPolicy: present.includes("onpolicy") && present.includes("grpo") ? roundComparison(pairedComparison(series.get("onpolicy")!, series.get("grpo")!, true)) : null,
            });
          }
  return rows;
}

/** The theory rates per method, task, learner and start, pooling the states of every seed. */
export function comparisonTheory(cfg: ComparisonConfig): TheoryRow[] {
  const tol = 1e-9;
  const acc = new Map<string, { row: TheoryRow; e: { b: number; a: number; amb: boolean }[]; o: { b: number; a: number; bs: number; as: number }[] }>();
  for (const s of comparisonStarts(cfg)) {
    const rec = readComparisonTheory(cfg, s);
    if (!rec) continue;
    rec.models.forEach((m, i) => {
      if (m === "start") return;
      const key = [m, s.task, s.learner, s.arm].join("|");
      let g = acc.get(key);
      if (!g) {
        const row: TheoryRow = { method: m, task: s.task, learner: s.learner, arm: s.arm, seeds: 0, expert: null!, offPath: null!, deadEnds: 0, overBudget: 0 };
        acc.set(key, (g = { row, e: [], o: [] }));
      }
      g.row.seeds++;
      g.row.deadEnds += rec.deadEnds;
      g.row.overBudget += rec.overBudget;
      for (const st of rec.expert) g.e.push({ b: st.p[0], a: st.p[i], amb: st.ambiguous });
      for (const st of rec.offPath) g.o.push({ b: st.p[0][0], a: st.p[i][0], bs: st.p[0][1], as: st.p[i][1] });
    });
  }
  const frac = <T>(xs: T[], ok: (x: T) => boolean) => (xs.length ? r4(xs.filter(ok).length / xs.length) : 0);
  const avg = (xs: number[]) => (xs.length ? r4(mean(xs)) : 0);
  return [...acc.values()].map(({ row, e, o }) => ({
    ...row,
    expert: {
      states: e.length,
      improved: frac(e, (x) => x.a >= x.b - tol),
      before: avg(e.map((x) => x.b)),
      after: avg(e.map((x) => x.a)),
      unique: e.filter((x) => !x.amb).length,
      uniqueImproved: frac(
        e.filter((x) => !x.amb),
        (x) => x.a >= x.b - tol,
      ),
      ambiguousImproved: frac(
        e.filter((x) => x.amb),
        (x) => x.a >= x.b - tol,
      ),
    },
    offPath: {
      states: o.length,
      improved: frac(o, (x) => x.a >= x.b - tol),
      before: avg(o.map((x) => x.b)),
      after: avg(o.map((x) => x.a)),
      improvedSet: frac(o, (x) => x.as >= x.bs - tol),
      beforeSet: avg(o.map((x) => x.bs)),
      afterSet: avg(o.map((x) => x.as)),
    },
  }));
}

function comparisonTimings(cfg: ComparisonConfig): ComparisonSummary["timings"] {
  const ts = readJsonl<{ stage: string; seconds: number; cpu?: number; load1?: number; finished_at?: string }>(comparisonDirs(cfg).timings);
  const byStage: Record<string, number> = {};
  const cpuByStage: Record<string, number> = {};
  for (const t of ts) {
    byStage[t.stage] = r4((byStage[t.stage] ?? 0) + t.seconds);
    cpuByStage[t.stage] = r4((cpuByStage[t.stage] ?? 0) + (t.cpu ?? 0));
  }
  const ends = ts.map((t) => Date.parse(t.finished_at ?? ""));
  const startsAt = ts.map((t, i) => ends[i] - t.seconds * 1000);
  const wall = ts.length && ends.every(Number.isFinite) ? r4((Math.max(...ends) - Math.min(...startsAt)) / 1000) : null;
  const loads = ts.map((t) => t.load1).filter((x): x is number => typeof x === "number");
  const sum = (o: Record<string, number>) => r4(Object.values(o).reduce((a, b) => a + b, 0));
  return { byStage, total: sum(byStage), cpuByStage, cpu: sum(cpuByStage), wall, jobs: ts.length, meanLoad1: loads.length ? r4(mean(loads)) : null, cores: os.cpus().length };
}

/** Build the summary from the comparison's files. */
export function buildComparisonSummary(cfg: ComparisonConfig): ComparisonSummary {
  const points = comparisonPoints(cfg);
  const decodings = cfg.eval.decodings.map((d) => d.id);
  const columns = ["method", "task", "learner", "arm", "seed", "budget", "samples", "rollout_samples", "group_samples", "seconds", "cpu_seconds", ...decodings.map((d) => `sr_${d}`), ...decodings.map((d) => `excess_${d}`)];
  const rows = points.map((p) => [p.method, p.task, p.learner, p.arm, p.seed, p.budget, p.samples, p.rollout_samples, p.group_samples, p.seconds, p.cpu_seconds, ...decodings.map((d) => p.sr[d]), ...decodings.map((d) => p.excess[d])]);
  return {
    profile: cfg.profile,
    config: cfg,
    points: { columns, rows },
    findings: comparisonFindings(cfg, points),
    theory: comparisonTheory(cfg),
    timings: comparisonTimings(cfg),
  };
}

/** Build and write summary.{json,md} (and the copy beside the study's summary for the profile's own tree). */
export function writeComparisonSummary(cfg: ComparisonConfig): ComparisonSummary {
  const s = buildComparisonSummary(cfg);
  const json = linesJson(s) + "\n";
  const md = comparisonMarkdown(s);
  const dir = comparisonDirs(cfg).summary;
  writeFileAtomic(path.join(dir, "summary.json"), json);
  writeFileAtomic(path.join(dir, "summary.md"), md);
  if (!cfg.root) {
    const tracked = figuresDir(cfg.profile, ...envDir(cfg), "study");
    fs.mkdirSync(tracked, { recursive: true });
    writeFileAtomic(path.join(tracked, "comparison.json"), json);
    writeFileAtomic(path.join(tracked, "comparison.md"), md);
  }
  return s;
}
