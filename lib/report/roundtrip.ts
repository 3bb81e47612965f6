/**
 * The paper round trip: read data/paper/*.csv, regenerate Tables 1–4, and check that every cell comes
 * back as printed — the CSVs byte for byte, and every numeric cell of the Markdown and LaTeX tables
 * (read back from the rendered text) against the CSV's string ("—" for an empty ASST).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { crossTaskCsv, parseCsv, table1Csv } from "./csv";
import { crossGrid, Grid, table1Grid } from "./grid";
import { gridToLatex, gridToMarkdown } from "./markup";
import { loadPaperResults, PAPER_DIR } from "./paper";
import type { Metric, ResultSet } from "./types";

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
    const got = cells.map((r) => r.slice(first)); // the numeric columns
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

/** The checks as a Markdown table (the notebook shows it). */
export function roundTripMarkdown(checks: RoundTripCheck[]): string {
  const rows = checks.map((c) => `| ${c.item} | ${c.identical ? "identical" : "**differs**"} | ${c.detail} |`);
  const verdict = checks.every((c) => c.identical) ? "Every table regenerates identically." : `${checks.filter((c) => !c.identical).length} item(s) differ.`;
  return ["| regenerated from data/paper | result | detail |", "|:---|:---|:---|", ...rows, "", verdict, ""].join("\n");
}
