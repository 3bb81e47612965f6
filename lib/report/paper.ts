/**
 * The published numbers, vendored from the paper into data/paper/ (table1.csv, cross_task.csv,
 * setup.csv), read into the same ResultSet our runs produce. Each cell keeps the decimals it was printed
 * with, so writing it back gives the file byte for byte (the round trip the notebook checks).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../util/profile";
import { UserError } from "../util/errors";
import { parseCsvRecords } from "./csv";
import { parsePrinted, Printed } from "./format";
import { wilsonInterval } from "../eval/metrics";
import type { CellStats, CrossRow, ResultSet, Table1Row } from "./types";

export const PAPER_DIR = path.join(REPO_ROOT, "data", "paper");

/** The paper's four tasks, in its order. */
export const PAPER_TASK_ORDER = ["cheese_sandwich", "burger", "cheese_burger", "double_cheese_burger"] as const;

const PAPER_TASK_TITLES: Record<string, string> = {
  cheese_sandwich: "Cheese Sandwich",
  burger: "Burger",
  cheese_burger: "Cheese Burger",
  double_cheese_burger: "Double Cheese Burger",
};

/** A task's display name: the paper's ("Cheese Burger"), else the Robotouille stem in words. */
export function taskTitle(task: string): string {
  if (PAPER_TASK_TITLES[task]) return PAPER_TASK_TITLES[task];
  const stem = task.replace(/^synchronous\//, "").replace(/^\d+_/, "");
  return stem
    .split("_")
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(" ");
}

/** Tasks in table order: the paper's four first (its order), then the others by name. */
export function orderTasks(tasks: Iterable<string>): string[] {
  const set = new Set(tasks);
  const paper = PAPER_TASK_ORDER.filter((t) => set.has(t));
  const rest = [...set].filter((t) => !(PAPER_TASK_ORDER as readonly string[]).includes(t)).sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  return [...paper, ...rest];
}

/** The title every published table carries. */
export const PUBLISHED_TITLE = "Published (arXiv 2509.20616)";

export const TABLE1_COLUMNS = ["task", "model", "sr", "asat", "asst"] as const;
export const CROSS_COLUMNS = ["trained_on", "evaluated_on", "sr", "asat", "asst"] as const;

/** The paper's training/evaluation setup (setup.csv) as key → value. */
export interface PaperSetup {
  values: Record<string, string>;
  /** Evaluation timeouts (attempt turns) per task: 15, 15, 23, 35. */
  timeouts: Record<string, number>;
  /** Episodes per cell: 10 unseen layouts per task. */
  episodesPerCell: number;
}

function readPaperFile(name: string, dir: string): string {
  const file = path.join(dir, name);
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e: any) {
    throw new UserError(`cannot read ${file}: ${e.code ?? e.message}`);
  }
}

export function loadPaperSetup(dir: string = PAPER_DIR): PaperSetup {
  const rows = parseCsvRecords(readPaperFile("setup.csv", dir), ["key", "value", "note"], "setup.csv");
  const values = Object.fromEntries(rows.map((r) => [r.key, r.value]));
  const timeouts: Record<string, number> = {};
  for (const [k, v] of Object.entries(values)) {
    const m = /^timeout_(.+)$/.exec(k);
    if (m) timeouts[m[1]] = Number(v);
  }
  const episodesPerCell = Number(values.eval_layouts_per_task ?? 10);
  return { values, timeouts, episodesPerCell };
}

/** One published cell as CellStats: the printed values, their decimals, Wilson SR interval at n. */
function publishedCell(sr: Printed, asat: Printed, asst: Printed | null, n: number, timeout: number | null): CellStats {
  const k = Math.round(sr.value * n);
  return {
    n,
    successes: k,
    runs: 1,
    sr: sr.value,
    asat: asat.value,
    asst: asst ? asst.value : null,
    sr_ci: wilsonInterval(k, n),
    asat_ci: null,
    asst_ci: null,
    interval: "published",
    timeout,
    decimals: { sr: sr.decimals, asat: asat.decimals, asst: asst?.decimals },
  };
}

function required(p: Printed | null, where: string): Printed {
  if (!p) throw new Error(`${where}: missing value`);
  return p;
}

/** The paper's model of Tables 2–4: the 1.5B model after SFT and GRPO, trained on each task. */
export const PAPER_CROSS_MODEL = "Qwen2.5-1.5b (w/ SFT & GRPO)";

/** Read data/paper/{table1,cross_task,setup}.csv into a ResultSet (cells keep their printed decimals). */
export function loadPaperResults(dir: string = PAPER_DIR): ResultSet {
  const setup = loadPaperSetup(dir);
  const n = setup.episodesPerCell;
  const t1 = parseCsvRecords(readPaperFile("table1.csv", dir), TABLE1_COLUMNS, "table1.csv");
  const table1: Table1Row[] = t1.map((r, i) => {
    const where = `table1.csv:${i + 2}`;
    return {
      task: r.task,
      model: r.model,
      ...publishedCell(required(parsePrinted(r.sr, where), where), required(parsePrinted(r.asat, where), where), parsePrinted(r.asst, where), n, setup.timeouts[r.task] ?? null),
    };
  });
  const ct = parseCsvRecords(readPaperFile("cross_task.csv", dir), CROSS_COLUMNS, "cross_task.csv");
  const cross: CrossRow[] = ct.map((r, i) => {
    const where = `cross_task.csv:${i + 2}`;
    return {
      model: PAPER_CROSS_MODEL,
      trained_on: r.trained_on,
      evaluated_on: r.evaluated_on,
      ...publishedCell(required(parsePrinted(r.sr, where), where), required(parsePrinted(r.asat, where), where), parsePrinted(r.asst, where), n, setup.timeouts[r.evaluated_on] ?? null),
    };
  });
  const uniq = <T>(xs: T[]) => [...new Set(xs)];
  return {
    kind: "published",
    title: PUBLISHED_TITLE,
    profile: null,
    source: path.relative(REPO_ROOT, dir) || dir,
    runs: [],
    episodes: 0,
    tasks: uniq(table1.map((r) => r.task)),
    models: uniq(table1.map((r) => r.model)),
    table1,
    cross,
    crossModels: [PAPER_CROSS_MODEL],
    crossModel: PAPER_CROSS_MODEL,
    crossTrained: uniq(cross.map((r) => r.trained_on)),
    crossEvaluated: uniq(cross.map((r) => r.evaluated_on)),
    notes: [],
  };
}
