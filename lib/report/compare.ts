/**
 * Ours beside the paper's, cell by cell, with the difference and whether it is more than noise.
 *
 * SR: the difference ours − paper gets a 95% interval by the MOVER method (Newcombe's hybrid score
 * interval when both sides are Wilson intervals). A difference whose interval contains 0 is "within
 * noise": at 10 episodes per cell an SR of 0.3 has a Wilson interval of [0.11, 0.60], so most
 * differences of 0.1–0.3 are. With several runs our side is the wider of the t interval across runs
 * and the Wilson interval of one run's episodes at the mean SR: every seed plays the same few layouts,
 * so seeds that agree (a t interval of zero width) still carry the layout sampling noise of one
 * evaluation. ASAT/ASST: the paper gives no spread, so we say whether the paper's value lies inside
 * our 95% interval.
 */
import { wilsonInterval } from "../eval/metrics";
import { DASH, formatCell, formatInterval, formatSigned } from "./numbers";
import type { Grid, GridCell } from "./grid";
import { cellText } from "./grid";
import { ModelMatches, paperModelFor } from "./models";
import { taskTitle } from "./paper";
import type { CellStats, Interval, ResultSet } from "./types";

export type Verdict = "within noise" | "ours higher" | "ours lower" | "n/a";

export interface ComparisonRow {
  table: "table1" | "cross_task";
  task: string;
  /** Table 1: our model; cross_task: our cross model. */
  model: string | null;
  paperModel: string | null;
  trained_on?: string;
  ours: CellStats | null;
  paper: CellStats | null;
  d_sr: number | null;
  d_sr_ci: Interval | null;
  sr_verdict: Verdict;
  d_asat: number | null;
  /** Is the paper's ASAT inside our 95% interval? null when there is no interval. */
  asat_in_ci: boolean | null;
  d_asst: number | null;
  asst_in_ci: boolean | null;
}

/**
 * MOVER interval for p1 − p2 from (p1, [l1, u1]) and (p2, [l2, u2]):
 * [d − √((p1−l1)² + (u2−p2)²), d + √((u1−p1)² + (p2−l2)²)]. With Wilson intervals this is
 * Newcombe's method 10.
 */
export function moverDifference(p1: number, ci1: Interval, p2: number, ci2: Interval): Interval {
  const d = p1 - p2;
  return [d - Math.sqrt((p1 - ci1[0]) ** 2 + (ci2[1] - p2) ** 2), d + Math.sqrt((ci1[1] - p1) ** 2 + (p2 - ci2[0]) ** 2)];
}

function srVerdict(ci: Interval | null): Verdict {
  if (!ci) return "n/a";
  if (ci[0] > 1e-12) return "ours higher";
  if (ci[1] < -1e-12) return "ours lower";
  return "within noise";
}

function inCi(v: number | null, ci: Interval | null): boolean | null {
  if (v === null || !ci) return null;
  return v >= ci[0] - 1e-9 && v <= ci[1] + 1e-9;
}

/** Our SR interval for the comparison: the cell's, widened for several runs to one evaluation's noise (see above). */
export function srNoiseInterval(c: CellStats): Interval | null {
  if (c.interval !== "runs") return c.sr_ci;
  const perRun = c.n / c.runs;
  const w = wilsonInterval(c.sr * perRun, perRun);
  return c.sr_ci ? [Math.min(c.sr_ci[0], w[0]), Math.max(c.sr_ci[1], w[1])] : w;
}

function compareCells(ours: CellStats | null, paper: CellStats | null) {
  const both = ours && paper;
  const d_sr = both ? ours.sr - paper.sr : null;
  const oursCi = ours ? srNoiseInterval(ours) : null;
  const d_sr_ci = both && oursCi && paper.sr_ci ? moverDifference(ours.sr, oursCi, paper.sr, paper.sr_ci) : null;
  const d_asat = both ? ours.asat - paper.asat : null;
  const d_asst = both && ours.asst !== null && paper.asst !== null ? ours.asst - paper.asst : null;
  return {
    d_sr,
    d_sr_ci,
    sr_verdict: srVerdict(d_sr_ci),
    d_asat,
    asat_in_ci: both ? inCi(paper.asat, ours.asat_ci) : null,
    d_asst,
    asst_in_ci: both ? inCi(paper.asst, ours.asst_ci) : null,
  };
}

/**
 * Pair our cells with the paper's. Table 1: each of our models beside the paper row it stands for
 * (models.ts), plus the paper rows nothing of ours stands beside; cross_task: our cross model's cells
 * beside the paper's SFT+GRPO ones.
 */
export function compareWithPaper(ours: ResultSet, paper: ResultSet, matches: ModelMatches = {}): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  const tasks = [...new Set([...paper.tasks, ...ours.tasks])];
  const ordered = [...paper.tasks, ...ours.tasks.filter((t) => !paper.tasks.includes(t))];
  for (const task of ordered.filter((t) => tasks.includes(t))) {
    const used = new Set<string>();
    for (const model of ours.models) {
      const o = ours.table1.find((r) => r.task === task && r.model === model) ?? null;
      if (!o) continue;
      const pm = paperModelFor(model, matches);
      const p = pm ? paper.table1.find((r) => r.task === task && r.model === pm) ?? null : null;
      if (pm) used.add(pm);
      rows.push({ table: "table1", task, model, paperModel: pm, ours: o, paper: p, ...compareCells(o, p) });
    }
    for (const p of paper.table1.filter((r) => r.task === task && !used.has(r.model))) {
      rows.push({ table: "table1", task, model: null, paperModel: p.model, ours: null, paper: p, ...compareCells(null, p) });
    }
  }
  const pc = paper.cross.filter((r) => r.model === paper.crossModel);
  const oc = ours.cross.filter((r) => r.model === ours.crossModel);
  const trained = [...new Set([...paper.crossTrained, ...ours.crossTrained])];
  const evaluated = [...new Set([...paper.crossEvaluated, ...ours.crossEvaluated])];
  for (const tr of trained) {
    for (const ev of evaluated) {
      const o = oc.find((r) => r.trained_on === tr && r.evaluated_on === ev) ?? null;
      const p = pc.find((r) => r.trained_on === tr && r.evaluated_on === ev) ?? null;
      if (!o && !p) continue;
      rows.push({ table: "cross_task", task: ev, trained_on: tr, model: o ? ours.crossModel : null, paperModel: p ? paper.crossModel : null, ours: o, paper: p, ...compareCells(o, p) });
    }
  }
  return rows;
}

export interface ComparisonSummary {
  /** Cells with both sides. */
  paired: number;
  withinNoise: number;
  oursHigher: number;
  oursLower: number;
}

export function summarizeComparison(rows: ComparisonRow[], table?: "table1" | "cross_task"): ComparisonSummary {
  const r = rows.filter((x) => (!table || x.table === table) && x.ours && x.paper);
  return {
    paired: r.length,
    withinNoise: r.filter((x) => x.sr_verdict === "within noise").length,
    oursHigher: r.filter((x) => x.sr_verdict === "ours higher").length,
    oursLower: r.filter((x) => x.sr_verdict === "ours lower").length,
  };
}

const yesNo = (b: boolean | null) => (b === null ? "" : b ? "yes" : "no");

function srWithCi(c: CellStats | null): string {
  if (!c) return DASH;
  return `${cellText(c, "sr")} ${formatInterval(srNoiseInterval(c))}`.trim();
}

/**
 * Side-by-side grid: ours, the paper's, the difference (SR with its interval and verdict), for our
 * cells (the paper's rows with nothing of ours beside them stay in comparison.csv and Table 1).
 */
export function comparisonGrid(rows: ComparisonRow[], ours: ResultSet, table: "table1" | "cross_task"): Grid {
  const sel = rows.filter((r) => r.table === table && r.ours);
  const out: GridCell[][] = [];
  const blocks: number[] = [];
  let last = "";
  for (const r of sel) {
    const block = table === "table1" ? r.task : r.trained_on!;
    if (block !== last) {
      blocks.push(out.length);
      last = block;
    }
    const lead: GridCell[] =
      table === "table1"
        ? [{ text: taskTitle(r.task) }, { text: r.model ?? DASH }, { text: r.paperModel ?? DASH }]
        : [{ text: taskTitle(r.trained_on!) }, { text: taskTitle(r.task) }];
    const fmt = (c: CellStats | null, m: "asat" | "asst") => (c ? cellText(c, m) : "");
    out.push([
      ...lead,
      { text: r.ours ? srWithCi(r.ours) : "" },
      { text: r.paper ? srWithCi(r.paper) : "" },
      { text: r.d_sr === null ? "" : `${formatSigned(r.d_sr)} ${formatInterval(r.d_sr_ci)}`.trim() },
      { text: r.sr_verdict === "n/a" ? "" : r.sr_verdict, bold: r.sr_verdict === "ours higher" || r.sr_verdict === "ours lower" },
      { text: fmt(r.ours, "asat") },
      { text: fmt(r.paper, "asat") },
      { text: r.d_asat === null ? "" : formatSigned(r.d_asat) },
      { text: fmt(r.ours, "asst") },
      { text: fmt(r.paper, "asst") },
      { text: r.d_asst === null ? "" : formatSigned(r.d_asst) },
    ]);
  }
  const s = summarizeComparison(rows, table);
  const lead = table === "table1" ? ["Task", "Model (ours)", "Paper row"] : ["Trained on", "Evaluated on"];
  const what = table === "table1" ? "Table 1" : `Tables 2–4 (${ours.crossModel ?? DASH} beside the paper's SFT+GRPO)`;
  return {
    id: table === "table1" ? "compare_table1" : "compare_cross_task",
    label: table === "table1" ? "Comparison 1" : "Comparison 2",
    caption: `${ours.title}. Beside the paper: ${what}. SR with 95% intervals (ours with several training seeds: the wider of the interval across seeds and one evaluation's Wilson interval); ΔSR = ours − paper with a 95% MOVER/Newcombe interval; "within noise" when that interval contains 0. ASAT/ASST differences have no published spread.`,
    header: [...lead, "SR ours", "SR paper", "ΔSR [95% CI]", "SR verdict", "ASAT ours", "ASAT paper", "ΔASAT", "ASST ours", "ASST paper", "ΔASST"],
    align: [...lead.map(() => "l" as const), "c", "c", "c", "l", "c", "c", "c", "c", "c", "c"],
    rows: out,
    blocks,
    notes: [
      `${s.paired} paired cells: ${s.withinNoise} within noise, ${s.oursHigher} ours higher, ${s.oursLower} ours lower (SR).`,
      ours.kind === "run" && ours.profile !== "paper" ? `${ours.title}: a different model class and scale from the paper's, so agreement is not expected; the comparison shows where the shapes agree.` : "",
    ].filter(Boolean),
  };
}

/** The comparison as CSV (every field, machine-readable). */
export function comparisonCsvRows(rows: ComparisonRow[]): string[][] {
  const f = (x: number | null | undefined) => (x === null || x === undefined ? "" : formatCell(x, undefined, { maxDecimals: 4, minDecimals: 1 }, ""));
  const head = ["table", "trained_on", "task", "model", "paper_model", "sr", "sr_lo", "sr_hi", "paper_sr", "paper_sr_lo", "paper_sr_hi", "d_sr", "d_sr_lo", "d_sr_hi", "sr_verdict", "asat", "paper_asat", "d_asat", "paper_asat_in_our_ci", "asst", "paper_asst", "d_asst", "paper_asst_in_our_ci"];
  return [
    head,
    ...rows.map((r) => [
      r.table,
      r.trained_on ?? "",
      r.task,
      r.model ?? "",
      r.paperModel ?? "",
      f(r.ours?.sr),
      f(r.ours ? srNoiseInterval(r.ours)?.[0] : null),
      f(r.ours ? srNoiseInterval(r.ours)?.[1] : null),
      f(r.paper?.sr),
      f(r.paper?.sr_ci?.[0]),
      f(r.paper?.sr_ci?.[1]),
      f(r.d_sr),
      f(r.d_sr_ci?.[0]),
      f(r.d_sr_ci?.[1]),
      r.sr_verdict,
      f(r.ours?.asat),
      f(r.paper?.asat),
      f(r.d_asat),
      yesNo(r.asat_in_ci),
      f(r.ours?.asst),
      f(r.paper?.asst),
      f(r.d_asst),
      yesNo(r.asst_in_ci),
    ]),
  ];
}

