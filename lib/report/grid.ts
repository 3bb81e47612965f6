/**
 * Tables as grids of printed cells, in the paper's layout; one grid renders to Markdown, LaTeX and HTML
 * (formats.ts), so the three always agree cell for cell.
 *
 * Layouts:
 * - **Table 1**: per task a block of rows, one per model; columns SR ↑, ASAT ↓, ASST ↓ ("—" when no
 *   success). The task name is printed on the block's first row.
 * - **Tables 2, 3, 4** (SR, ASAT, ASST): rows = the task trained on, columns = the task evaluated on.
 *
 * **Bold** marks the best value of a column: the highest SR and the lowest ASAT and ASST, per task block
 * in Table 1 and per evaluated-on column in Tables 2–4 (`bestMask`). data/paper/*.csv does not record
 * which cells the paper sets in bold, so one stated rule is applied to the published set and ours alike.
 */
import { DASH, DISPLAY, formatCell, formatInterval, NumberStyle } from "./numbers";
import { taskTitle } from "./paper";
import { BETTER, CellStats, Metric, METRIC_LABEL, ResultSet } from "./types";

export interface GridCell {
  text: string;
  bold?: boolean;
}

export interface Grid {
  /** File stem and anchor: table1, table2 … */
  id: string;
  /** "Table 1", "Table 2" … */
  label: string;
  caption: string;
  /** One header row; a group row above it when `groups` is set. */
  header: string[];
  groups?: { label: string; span: number }[];
  align: ("l" | "c" | "r")[];
  rows: GridCell[][];
  /** Row indices that start a block (a rule is drawn above them). */
  blocks: number[];
  notes: string[];
}

/** Printed text of a metric of a cell: published decimals, else the display style. */
export function cellText(c: CellStats | undefined, m: Metric, style: NumberStyle = DISPLAY): string {
  if (!c) return "";
  const v = c[m];
  return formatCell(v, c.decimals?.[m], style);
}

/**
 * Which of `texts` are the best: numbers compared as printed (two cells that read the same tie, and
 * every tied best is bold); "—" (no success) is worse than any number and never bold; "" (no cell) takes
 * no part. Nothing is bold when every cell ties (nothing stands out).
 */
export function bestMask(texts: string[], better: "max" | "min"): boolean[] {
  const nums = texts.map((t) => (t === "" || t === DASH ? null : Number(t)));
  const present = nums.filter((x): x is number => x !== null && Number.isFinite(x));
  const none = texts.map(() => false);
  if (!present.length) return none;
  const best = better === "max" ? Math.max(...present) : Math.min(...present);
  const mask = nums.map((x) => x === best);
  return mask.filter(Boolean).length === texts.filter((t) => t !== "").length ? none : mask;
}

function sourceLine(rs: ResultSet): string {
  if (rs.kind === "published") return `Source: ${rs.source} (the paper's numbers, as printed).`;
  const runs = rs.runs.length <= 6 ? rs.runs.join(", ") : `${rs.runs.slice(0, 6).join(", ")}, … (${rs.runs.length} runs)`;
  return `Source: ${rs.source || "episodes"}; runs: ${runs}.${rs.command ? ` Command: \`${rs.command}\`.` : ""}`;
}

function episodesLine(cells: CellStats[]): string {
  const ns = [...new Set(cells.map((c) => c.n))].sort((a, b) => a - b);
  const runs = [...new Set(cells.map((c) => c.runs))].sort((a, b) => a - b);
  const nText = ns.length === 1 ? `${ns[0]}` : `${ns[0]}–${ns[ns.length - 1]}`;
  const rText = runs.length === 1 && runs[0] === 1 ? "" : `, ${runs.join("/")} run(s) per cell`;
  return `${nText} episodes per cell${rText}.`;
}

export function table1Grid(rs: ResultSet): Grid {
  const rows: GridCell[][] = [];
  const blocks: number[] = [];
  for (const task of rs.tasks) {
    const block = rs.models.map((m) => rs.table1.find((r) => r.task === task && r.model === m)).filter((r) => r !== undefined);
    if (!block.length) continue;
    const texts = (["sr", "asat", "asst"] as Metric[]).map((m) => block.map((r) => cellText(r, m)));
    const bold = (["sr", "asat", "asst"] as Metric[]).map((m, j) => bestMask(texts[j], BETTER[m]));
    blocks.push(rows.length);
    block.forEach((r, i) => {
      rows.push([
        { text: i === 0 ? taskTitle(task) : "" },
        { text: r!.model },
        ...[0, 1, 2].map((j) => ({ text: texts[j][i], bold: bold[j][i] })),
      ]);
    });
  }
  return {
    id: "table1",
    label: "Table 1",
    caption: `${rs.title}. Per task, one row per model: SR (success rate) ↑, ASAT (average steps over all episodes, a failure counted at the task's timeout) ↓, ASST (average steps over successful episodes; ${DASH} when none) ↓. Bold: best in the task's block.`,
    header: ["Task", "Model", "SR ↑", "ASAT ↓", "ASST ↓"],
    align: ["l", "l", "c", "c", "c"],
    rows,
    blocks,
    notes: [episodesLine(rs.table1), sourceLine(rs), ...rs.notes],
  };
}

const CROSS_TABLE: Record<Metric, { id: string; label: string }> = {
  sr: { id: "table2", label: "Table 2" },
  asat: { id: "table3", label: "Table 3" },
  asst: { id: "table4", label: "Table 4" },
};

/** Table 2 (SR), 3 (ASAT) or 4 (ASST): train × evaluate for the set's cross model. */
export function crossGrid(rs: ResultSet, metric: Metric): Grid {
  const { id, label } = CROSS_TABLE[metric];
  const cells = rs.cross.filter((r) => r.model === rs.crossModel);
  const cols = rs.crossEvaluated;
  const texts = rs.crossTrained.map((tr) => cols.map((ev) => cellText(cells.find((r) => r.trained_on === tr && r.evaluated_on === ev), metric)));
  const bold = cols.map((_, j) => bestMask(texts.map((row) => row[j]), BETTER[metric]));
  const rows = rs.crossTrained.map((tr, i) => [{ text: taskTitle(tr) }, ...cols.map((_, j) => ({ text: texts[i][j], bold: bold[j][i] }))]);
  const arrow = BETTER[metric] === "max" ? "↑" : "↓";
  return {
    id,
    label,
    caption: `${rs.title}. Cross-task ${METRIC_LABEL[metric]} ${arrow} of ${rs.crossModel ?? "—"}: trained on the row's task, evaluated on the column's. Bold: best in each column.`,
    header: ["Trained on", ...cols.map(taskTitle)],
    groups: [
      { label: "", span: 1 },
      { label: "Evaluated on", span: cols.length },
    ],
    align: ["l", ...cols.map(() => "c" as const)],
    rows,
    blocks: rows.length ? [0] : [],
    notes: [episodesLine(cells), sourceLine(rs)],
  };
}

/** Table 1 with intervals: "0.3 [0.11, 0.60]" — for our runs, where the reader needs them. */
export function table1IntervalGrid(rs: ResultSet): Grid {
  const g = table1Grid(rs);
  const rowsOf = rs.tasks.flatMap((task) => rs.models.map((m) => rs.table1.find((r) => r.task === task && r.model === m)).filter((r) => r !== undefined));
  const withCi = (text: string, ci: [number, number] | null, decimals: number) => (ci && text !== DASH ? `${text} ${formatInterval(ci, decimals)}` : text);
  g.rows = g.rows.map((cells, i) => {
    const r = rowsOf[i]!;
    return [cells[0], cells[1], { ...cells[2], text: withCi(cells[2].text, r.sr_ci, 2) }, { ...cells[3], text: withCi(cells[3].text, r.asat_ci, 1) }, { ...cells[4], text: withCi(cells[4].text, r.asst_ci, 1) }, { text: String(r.n) }];
  });
  g.id = "table1_intervals";
  g.header = ["Task", "Model", "SR ↑ [95% CI]", "ASAT ↓ [95% CI]", "ASST ↓ [95% CI]", "n"];
  g.align = ["l", "l", "c", "c", "c", "r"];
  g.caption = `${rs.title}. Table 1 with 95% intervals (SR: Wilson; ASAT, ASST: seeded bootstrap; across runs: t interval). Bold as in Table 1.`;
  return g;
}
