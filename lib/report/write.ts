/**
 * Write a study's tables, comparison, audit and figures to one directory (what `stgrpo tables` and
 * notebook 07 produce). File list (every table in Markdown, LaTeX and HTML):
 *
 * | file | what |
 * |---|---|
 * | `table1.csv`, `cross_task.csv` | the contract CSVs, shape of data/paper/*.csv |
 * | `cross_task.<model>.csv` | other models with a trained_on, same shape |
 * | `cells.csv` | every cell with n, runs, successes and 95% intervals |
 * | `runs.csv` | every (cell, run): n, successes, SR, ASAT, ASST per training seed |
 * | `table1.*`, `table2.*`, `table3.*`, `table4.*` | Tables 1–4 in the paper's layout (.md/.tex/.html) |
 * | `table1_intervals.*` | Table 1 with intervals and n |
 * | `comparison.csv`, `compare_table1.*`, `compare_cross_task.*` | ours beside the paper's, with ΔSR intervals |
 * | `audit.md`, `audit.html`, `audit.csv` | the published tables' audit (ASAT identity, ASST definition, integer episodes, optimal-plan floor) |
 * | `tables.md`, `index.html` | everything on one page (index.html shows the figures) |
 * | `sr.svg/png`, `asst.svg/png`, `cross_task_sr.svg/png`, `sr_vs_paper.svg/png`, `learning_curves.svg/png` | figures |
 */
import * as path from "node:path";
import { writeFileAtomic } from "../util/files";
import { saveFigure, VegaLiteSpec } from "../viz/render";
import { auditCsv, auditHtml, auditMarkdown, AuditResult, auditTables } from "./audit";
import { ComparisonRow, compareWithPaper, comparisonCsvRows, comparisonGrid, summarizeComparison } from "./compare";
import { crossTaskCsv, detailCsv, runsCsv, table1Csv, toCsv } from "./csv";
import type { CurvePoint } from "./curves";
import { asstFigure, crossTaskHeatmap, learningCurvesFigure, srComparisonFigure, srFigure } from "./figures";
import { gridToHtml, gridToLatex, gridToMarkdown, htmlEscape, htmlPage } from "./markup";
import { crossGrid, Grid, table1Grid, table1IntervalGrid } from "./grid";
import type { ModelMatches } from "./models";
import type { ResultSet } from "./types";

export interface ReportOptions {
  /** The published set to compare with (loadPaperResults()); null: no comparison. */
  paper?: ResultSet | null;
  matches?: ModelMatches;
  /** Render figures (SVG + PNG); default true. */
  figures?: boolean;
  /** Learning-curve points (curves.ts); a figure when non-empty. */
  curves?: CurvePoint[];
  /** Optimal plan length of each evaluation layout, per task, for the audit's reachability check (optima.ts). */
  optima?: Record<string, number[]>;
}

export interface WrittenReport {
  dir: string;
  /** Paths written, relative to `dir`. */
  files: string[];
  grids: Grid[];
  comparison: ComparisonRow[] | null;
  /** Audit of the published tables (or of `rs` itself when it is the published set). */
  audit: AuditResult | null;
  /** The one-page Markdown (tables.md). */
  markdown: string;
  /** The figures written (empty with `figures: false`). */
  figures: ReportFigure[];
  /** Markdown of each part, by id: the grid ids (table1 … table4, table1_intervals, compare_table1, compare_cross_task), `agreement`, `audit`. */
  sections: Record<string, string>;
}

/** A file-safe form of a model name: `sft+grpo` → `sft+grpo`, `Qwen/Qwen2.5 7B` → `Qwen_Qwen2.5_7B`. */
export function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9.+-]+/g, "_").replace(/^_+|_+$/g, "") || "model";
}

export interface ReportFigure {
  name: string;
  title: string;
  spec: VegaLiteSpec;
}

/**
 * The figures of a set: SR per task and model; ASST per task (when anything succeeded); the cross-task
 * SR heatmap, the paper's beside ours on one scale; SR beside the paper's; learning curves (when given).
 */
export function reportFigures(rs: ResultSet, paper: ResultSet | null, comparison: ComparisonRow[] | null, curves: CurvePoint[] = []): ReportFigure[] {
  if (!rs.table1.length) return [];
  const out: ReportFigure[] = [{ name: "sr", title: "SR per task and model", spec: srFigure(rs) }];
  if (rs.table1.some((r) => r.asst !== null)) out.push({ name: "asst", title: "ASST per task and model", spec: asstFigure(rs) });
  if (rs.crossModel) {
    const sets = paper && paper.crossModel && rs.kind === "run" ? [paper, rs] : [rs];
    out.push({ name: "cross_task_sr", title: sets.length > 1 ? "Cross-task SR, the paper's and ours, one scale" : "Cross-task SR", spec: crossTaskHeatmap(sets) });
  }
  if (paper && comparison && comparison.some((r) => r.table === "table1" && r.ours && r.paper)) {
    out.push({ name: "sr_vs_paper", title: "SR, ours beside the paper's", spec: srComparisonFigure(comparison, rs, paper) });
  }
  if (curves.length) out.push({ name: "learning_curves", title: "Learning curves", spec: learningCurvesFigure(curves, rs.title) });
  return out;
}

/** The grids of a set, in the paper's order: Table 1, 2, 3, 4. */
export function paperGrids(rs: ResultSet): Grid[] {
  const grids = [table1Grid(rs)];
  if (rs.crossModel) grids.push(crossGrid(rs, "sr"), crossGrid(rs, "asat"), crossGrid(rs, "asst"));
  return grids;
}

export async function writeReport(rs: ResultSet, dir: string, opts: ReportOptions = {}): Promise<WrittenReport> {
  const files: string[] = [];
  const put = (name: string, text: string) => {
    writeFileAtomic(path.join(dir, name), text);
    files.push(name);
  };
  const writeGrid = (g: Grid) => {
    put(`${g.id}.md`, gridToMarkdown(g));
    put(`${g.id}.tex`, gridToLatex(g));
    put(`${g.id}.html`, htmlPage(`${g.label} — ${rs.title}`, gridToHtml(g)));
  };

  put("table1.csv", table1Csv(rs));
  if (rs.crossModel) put("cross_task.csv", crossTaskCsv(rs));
  for (const m of rs.crossModels.filter((x) => x !== rs.crossModel)) put(`cross_task.${slug(m)}.csv`, crossTaskCsv(rs, m));
  if (rs.kind === "run") {
    put("cells.csv", detailCsv(rs));
    put("runs.csv", runsCsv(rs));
  }

  const grids = paperGrids(rs);
  if (rs.kind === "run") grids.push(table1IntervalGrid(rs));
  grids.forEach(writeGrid);

  const paper = opts.paper === undefined ? null : opts.paper;
  let comparison: ComparisonRow[] | null = null;
  const compareGrids: Grid[] = [];
  if (paper && rs.kind === "run") {
    comparison = compareWithPaper(rs, paper, opts.matches);
    put("comparison.csv", toCsv(comparisonCsvRows(comparison)));
    compareGrids.push(comparisonGrid(comparison, rs, "table1"));
    if (comparison.some((r) => r.table === "cross_task" && r.ours)) compareGrids.push(comparisonGrid(comparison, rs, "cross_task"));
    compareGrids.forEach(writeGrid);
  }

  const audited = rs.kind === "published" ? rs : paper;
  const audit = audited ? auditTables(audited, { optima: opts.optima }) : null;
  let auditMd = "";
  let auditFragment = "";
  if (audit && audited) {
    auditMd = auditMarkdown(audit, audited);
    auditFragment = auditHtml(audit, audited);
    put("audit.md", auditMd);
    put("audit.html", htmlPage("Audit of the published tables", auditFragment));
    put("audit.csv", auditCsv(audit));
  }

  const figures = opts.figures !== false ? reportFigures(rs, paper, comparison, opts.curves ?? []) : [];
  for (const f of figures) {
    await saveFigure(f.spec, f.name, { dir });
    files.push(`${f.name}.svg`, `${f.name}.png`);
  }

  const head = `# ${rs.title}\n\n`;
  const intro =
    rs.kind === "published"
      ? "The paper's Tables 1–4 regenerated from data/paper/*.csv.\n\n"
      : `Tables 1–4 from ${rs.episodes} episodes (${rs.source}).\n\n`;
  const sections: Record<string, string> = Object.fromEntries([...grids, ...compareGrids].map((g) => [g.id, gridToMarkdown(g)]));
  if (comparison) {
    const s1 = summarizeComparison(comparison, "table1");
    const s2 = summarizeComparison(comparison, "cross_task");
    sections.agreement = `**Agreement with the paper (SR).** Table 1: ${s1.paired} paired cells, ${s1.withinNoise} within noise, ${s1.oursHigher} ours higher, ${s1.oursLower} ours lower. Tables 2–4: ${s2.paired} paired cells, ${s2.withinNoise} within noise, ${s2.oursHigher} higher, ${s2.oursLower} lower.\n`;
  }
  if (auditMd) sections.audit = auditMd;
  const figureList = figures.length ? ["**Figures.**\n\n" + figures.map((f) => `![${f.title}](${f.name}.svg)`).join("\n\n") + "\n"] : [];
  const markdown = head + intro + [...Object.values(sections), ...figureList].join("\n");
  put("tables.md", markdown);
  const htmlBody = [
    `<h1>${htmlEscape(rs.title)}</h1>`,
    ...[...grids, ...compareGrids].map(gridToHtml),
    auditFragment ? `<h2>Audit of the published tables</h2>\n${auditFragment}` : "",
    ...figures.map((f) => `<figure><img src="${f.name}.svg" alt="${htmlEscape(f.title)}"><figcaption>${htmlEscape(f.title)}</figcaption></figure>`),
  ].join("\n");
  put("index.html", htmlPage(rs.title, htmlBody));
  return { dir, files, grids: [...grids, ...compareGrids], comparison, audit, markdown, figures, sections };
}
