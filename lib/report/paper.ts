/**
 * The published numbers, vendored from the paper into data/paper/ (table1.csv, cross_task.csv,
 * setup.csv), read into the same ResultSet our runs produce. Each cell keeps the decimals it was printed
 * with, so writing it back gives the file byte for byte (the round trip the notebook checks).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT, repoPath } from "../util/profile";
import { UserError } from "../util/errors";
import { CROSS_COLUMNS, parseCsvRecords, TABLE1_COLUMNS } from "./csv";
import { parsePrinted, Printed } from "./numbers";
import { wilsonInterval } from "../eval/metrics";
import { ENV_FAMILIES, isTaskId, resolveTask } from "../env/index";
import type { CellStats, CrossRow, ResultSet, Table1Row } from "./types";

export const PAPER_DIR = path.join(REPO_ROOT, "data", "paper");

/** A task's display name ("Cheese Burger", "Lettuce Sandwich", "CookingWorld level 2"); an unknown id as is. */
export function taskTitle(task: string): string {
  return isTaskId(task) ? resolveTask(task).title : task;
}

/** A task's evaluation timeout (attempt turns): the paper's 15/15/23/35, else Robotouille's rule; null if unknown. */
export function taskTimeout(task: string): number | null {
  return isTaskId(task) ? resolveTask(task).timeout : null;
}

/** One id per task: `3_burger` and `synchronous/3_burger` are `burger` (the kitchen's canonical id). */
export function canonicalTask(task: string): string {
  return isTaskId(task) ? resolveTask(task).id : task;
}

/** Tasks in table order: each family's (Robotouille: the paper's four in its order, then its other tasks), then unknown ids by name. */
export function orderTasks(tasks: Iterable<string>): string[] {
  const known: string[] = ENV_FAMILIES.flatMap((f) => [...f.paperTasks, ...f.allTasks.filter((t) => !f.paperTasks.includes(t))]);
  const rank = (t: string) => (known.includes(t) ? known.indexOf(t) : known.length);
  return [...new Set(tasks)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b, "en", { numeric: true }));
}

/** The title every published table carries. */
export const PUBLISHED_TITLE = "Published (arXiv 2509.20616)";


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
    source: repoPath(dir),
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
    runMetrics: [],
    notes: [],
  };
}
