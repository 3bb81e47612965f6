/**
 * The entry points the notebook and `stgrpo tables` call: load a results directory into a titled
 * ResultSet (with learning curves), and check that the paper's tables regenerate identically.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "../util/errors";
import { PROFILES, Profile, REPO_ROOT } from "../util/profile";
import { summarizeEpisodes, SummarizeOptions } from "./aggregate";
import { CurvePoint, loadCurves } from "./curves";
import { crossTaskCsv, parseCsv, table1Csv } from "./csv";
import { gridToLatex, gridToMarkdown } from "./markup";
import { crossGrid, Grid, table1Grid } from "./grid";
import { describeScan, scanResults, ScannedResults } from "./load";
import { loadPaperResults, loadPaperSetup, PAPER_DIR } from "./paper";
import type { Metric, ResultSet } from "./types";

/** The title every table of a profile carries, so CPU numbers are never read as the paper's. */
export function profileTitle(profile: Profile | null, source = ""): string {
  switch (profile) {
    case "ci":
      return "CI smoke run (profile ci, tiny settings) — not a result";
    case "cpu":
      return "CPU-scale study (profile cpu) — not the paper's GPU numbers";
    case "paper":
      return "Paper-protocol reproduction (profile paper, GPU)";
    default:
      return `Our run (${source || "episodes"})`;
  }
}

/** The profile a results directory belongs to: results/<profile>[/…] under any root. */
export function inferProfile(dir: string): Profile | null {
  const parts = path.resolve(dir).split(path.sep);
  for (let i = parts.length - 1; i > 0; i--) {
    if (parts[i - 1] === "results" && (PROFILES as readonly string[]).includes(parts[i])) return parts[i] as Profile;
  }
  return null;
}

export interface Study {
  scan: ScannedResults;
  results: ResultSet;
  curves: CurvePoint[];
  /** What was read and skipped, one line each (stderr in the CLI). */
  log: string[];
}

export interface StudyOptions extends Omit<SummarizeOptions, "title" | "profile" | "source"> {
  profile?: Profile | null;
  title?: string;
}

/** Read every episode JSONL under `dir` into a titled ResultSet; UserError when there are none. */
export function loadStudy(dir: string, opts: StudyOptions = {}): Study {
  const scan = scanResults(dir);
  const log = describeScan(scan);
  if (!scan.episodes.length) throw new UserError(`no episodes found under ${dir} (looked for episode JSONL: {run, model, task, success, steps, …})`);
  const profile = opts.profile === undefined ? inferProfile(dir) : opts.profile;
  const rel = path.relative(REPO_ROOT, path.resolve(dir));
  const source = rel && !rel.startsWith("..") ? rel : dir;
  const results = summarizeEpisodes(scan.episodes, {
    ...opts,
    timeouts: opts.timeouts ?? loadPaperSetup().timeouts,
    title: opts.title ?? profileTitle(profile, source),
    profile,
    source,
  });
  return { scan, results, curves: loadCurves(scan.trainingFiles, dir), log };
}

/** loadStudy, or null with the reason when the directory is missing or has no episodes (notebooks). */
export function tryLoadStudy(dir: string, opts: StudyOptions = {}): { study: Study | null; reason: string } {
  if (!fs.existsSync(dir)) return { study: null, reason: `${path.relative(REPO_ROOT, dir) || dir} does not exist yet` };
  try {
    return { study: loadStudy(dir, opts), reason: "" };
  } catch (e) {
    if (e instanceof UserError) return { study: null, reason: e.message };
    throw e;
  }
}

// ------------------------------------------------------------------ the paper round trip

/** Rows of a Markdown table: the cells of every `| … |` line after the `|---|` rule, bold markers removed. */
export function markdownCells(md: string): string[][] {
  const lines = md.split("\n").filter((l) => l.startsWith("|"));
  const ruleAt = lines.findIndex((l) => /^\|(:?-+:?\|)+$/.test(l));
  return lines.slice(ruleAt + 1).map((l) =>
    l
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/^\*\*(.*)\*\*$/, "$1").replace(/\\([|*\\])/g, "$1")),
  );
}

/** Rows of a LaTeX tabular body: lines between \midrule and \bottomrule, \textbf removed. */
export function latexCells(tex: string): string[][] {
  const body = tex.slice(tex.indexOf("\\midrule"), tex.indexOf("\\bottomrule"));
  return body
    .split("\n")
    .filter((l) => l.endsWith("\\\\"))
    .map((l) =>
      l
        .slice(0, -2)
        .split(/(?<!\\)&/)
        .map((c) => c.trim().replace(/^\\textbf\{(.*)\}$/, "$1").replace(/^---$/, "—").replace(/\\([&%$#_{}])/g, "$1")),
    );
}

/** The numeric columns of a grid's rows (Table 1: SR, ASAT, ASST; Tables 2–4: the evaluated tasks). */
function numericCells(rows: string[][], first: number): string[][] {
  return rows.map((r) => r.slice(first));
}

export interface RoundTripCheck {
  item: string;
  identical: boolean;
  detail: string;
}

/**
 * Regenerate the paper's tables from data/paper/*.csv and compare: the CSVs byte for byte, and every
 * numeric cell of the Markdown and LaTeX tables with the CSV's string ("—" for an empty ASST).
 */
export function paperRoundTrip(dir: string = PAPER_DIR): { results: ResultSet; checks: RoundTripCheck[] } {
  const paper = loadPaperResults(dir);
  const checks: RoundTripCheck[] = [];
  for (const [name, text] of [
    ["table1.csv", table1Csv(paper)],
    ["cross_task.csv", crossTaskCsv(paper)],
  ] as const) {
    const orig = fs.readFileSync(path.join(dir, name), "utf8");
    const same = orig === text;
    let detail = same ? `${orig.split("\n").length - 2} rows, byte-identical` : "";
    if (!same) {
      const a = orig.split("\n");
      const b = text.split("\n");
      const i = a.findIndex((l, j) => l !== b[j]);
      detail = `first difference at line ${i + 1}: "${a[i]}" vs "${b[i]}"`;
    }
    checks.push({ item: name, identical: same, detail });
  }
  const dash = (s: string) => (s === "" ? "—" : s);
  const t1 = parseCsv(fs.readFileSync(path.join(dir, "table1.csv"), "utf8")).slice(1);
  const expected1 = t1.map((r) => r.slice(2).map(dash));
  const g1 = table1Grid(paper);
  checks.push(...gridChecks("Table 1", g1, 2, expected1));
  const ct = parseCsv(fs.readFileSync(path.join(dir, "cross_task.csv"), "utf8")).slice(1);
  (["sr", "asat", "asst"] as Metric[]).forEach((m, j) => {
    const expected = paper.crossTrained.map((tr) => paper.crossEvaluated.map((ev) => dash(ct.find((r) => r[0] === tr && r[1] === ev)?.[2 + j] ?? "")));
    const g = crossGrid(paper, m);
    checks.push(...gridChecks(g.label, g, 1, expected));
  });
  return { results: paper, checks };
}

function gridChecks(label: string, g: Grid, first: number, expected: string[][]): RoundTripCheck[] {
  const out: RoundTripCheck[] = [];
  for (const [fmt, cells] of [
    ["Markdown", markdownCells(gridToMarkdown(g))],
    ["LaTeX", latexCells(gridToLatex(g))],
  ] as const) {
    const got = numericCells(cells, first);
    const total = expected.reduce((a, r) => a + r.length, 0);
    let bad = "";
    expected.forEach((row, i) =>
      row.forEach((want, j) => {
        if (!bad && got[i]?.[j] !== want) bad = `row ${i + 1}, column ${j + 1}: "${got[i]?.[j]}" vs "${want}"`;
      }),
    );
    if (!bad && got.length !== expected.length) bad = `${got.length} rows vs ${expected.length}`;
    out.push({ item: `${label} (${fmt})`, identical: !bad, detail: bad || `${total} cells match data/paper` });
  }
  return out;
}
