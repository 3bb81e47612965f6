/**
 * CSV: a minimal RFC 4180 reader/writer (model names may hold commas or quotes), and the contract files
 * `table1.csv` (task,model,sr,asat,asst) and `cross_task.csv` (trained_on,evaluated_on,sr,asat,asst) —
 * the shape of data/paper/*.csv, asst empty when nothing succeeded.
 */
import { CSV, formatCell } from "./numbers";
import type { CellStats, CrossRow, ResultSet } from "./types";

export const TABLE1_COLUMNS = ["task", "model", "sr", "asat", "asst"] as const;
export const CROSS_COLUMNS = ["trained_on", "evaluated_on", "sr", "asat", "asst"] as const;

export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  const s = text.replace(/^\uFEFF/, "");
  while (i < s.length) {
    const c = s[i];
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === "") {
      quoted = true;
      i++;
    } else if (c === ",") {
      row.push(field);
      field = "";
      i++;
    } else if (c === "\n" || c === "\r") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += c === "\r" && s[i + 1] === "\n" ? 2 : 1;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== "" || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ""));
}

/** Parse a CSV with a header into records, checking the header is exactly `columns`. */
export function parseCsvRecords(text: string, columns: readonly string[], where: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  if (!header || header.join(",") !== columns.join(",")) {
    throw new Error(`${where}: expected header "${columns.join(",")}", got "${(header ?? []).join(",")}"`);
  }
  return rows.map((r, i) => {
    if (r.length !== columns.length) throw new Error(`${where}:${i + 2}: expected ${columns.length} fields, got ${r.length}`);
    return Object.fromEntries(columns.map((c, j) => [c, r[j]]));
  });
}

function quote(field: string): string {
  return /[",\r\n]/.test(field) || /^\s|\s$/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** Rows → CSV text, "\n" line ends and a final newline (the paper's files' convention). */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((r) => r.map(quote).join(",")).join("\n") + "\n";
}

function csvCells(c: CellStats): string[] {
  return [formatCell(c.sr, c.decimals?.sr, CSV, ""), formatCell(c.asat, c.decimals?.asat, CSV, ""), formatCell(c.asst, c.decimals?.asst, CSV, "")];
}

/** `table1.csv`: one row per task and model, Table 1's order. Published cells keep their printed decimals. */
export function table1Csv(rs: ResultSet): string {
  return toCsv([[...TABLE1_COLUMNS], ...rs.table1.map((r) => [r.task, r.model, ...csvCells(r)])]);
}

/** `cross_task.csv` for one model (default: the set's cross model), trained-on-major order. */
export function crossTaskCsv(rs: ResultSet, model: string | null = rs.crossModel): string {
  const rows: CrossRow[] = rs.cross.filter((r) => r.model === model);
  return toCsv([[...CROSS_COLUMNS], ...rows.map((r) => [r.trained_on, r.evaluated_on, ...csvCells(r)])]);
}

/** Every Table 1 and cross-task cell with n, runs and intervals (not a contract; for analysis). */
export function detailCsv(rs: ResultSet): string {
  const head = ["table", "model", "trained_on", "task", "n", "runs", "successes", "sr", "sr_lo", "sr_hi", "asat", "asat_lo", "asat_hi", "asst", "asst_lo", "asst_hi", "interval", "timeout"];
  const num = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? "" : formatCell(x, undefined, CSV, ""));
  const line = (table: string, model: string, trained: string, task: string, c: CellStats) => [
    table,
    model,
    trained,
    task,
    String(c.n),
    String(c.runs),
    String(c.successes),
    num(c.sr),
    num(c.sr_ci?.[0]),
    num(c.sr_ci?.[1]),
    num(c.asat),
    num(c.asat_ci?.[0]),
    num(c.asat_ci?.[1]),
    num(c.asst),
    num(c.asst_ci?.[0]),
    num(c.asst_ci?.[1]),
    c.interval,
    c.timeout === null ? "" : String(c.timeout),
  ];
  return toCsv([head, ...rs.table1.map((r) => line("table1", r.model, "", r.task, r)), ...rs.cross.map((r) => line("cross_task", r.model, r.trained_on, r.evaluated_on, r))]);
}

/** `runs.csv`: one row per cell and run (training seed) — the numbers behind cells with several runs. */
export function runsCsv(rs: ResultSet): string {
  const num = (x: number | null) => (x === null ? "" : formatCell(x, undefined, CSV, ""));
  const head = ["table", "model", "trained_on", "task", "run", "n", "successes", "sr", "asat", "asst", "timeout"];
  return toCsv([head, ...rs.runMetrics.map((r) => [r.table, r.model, r.trained_on, r.task, r.run, String(r.n), String(r.successes), num(r.sr), num(r.asat), num(r.asst), r.timeout === null ? "" : String(r.timeout)])]);
}
