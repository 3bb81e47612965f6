/**
 * The published site of the executed notebooks: a static folder a reader opens in any browser, offline,
 * to see every result without running anything. `make reproduce` writes the cpu profile's into `docs/site/`
 * (tracked; GitHub Pages can serve that folder as it is); `make test` writes the ci profile's into
 * `results/ci/site/` and checks it in a real browser (scripts/site-check.ts).
 *
 *   npx tsx scripts/site.ts [--profile cpu|ci|paper] [--out DIR]
 *
 * What it writes: `index.html` (one card per notebook: its title and first paragraph, taken from the
 * notebook's first Markdown cell, and its first figure as the thumbnail); one page per notebook with
 * its Markdown, code and outputs; the Tables 1–4 pages from notebook 07's report (`tables.md` of
 * paper-figures/<profile>/ and of its published/ folder); every figure as its own SVG/PNG file under
 * `figures/`; `style.css`; and KaTeX's stylesheet and fonts under `katex/`.
 *
 * Math: `$…$` and `$$…$$` in Markdown *cells* are rendered here, at build time, with KaTeX — the pages
 * need its CSS and fonts, no script and no CDN. Markdown *outputs* (tables a cell shows) and streams
 * are never read as math: a "$" there is a dollar. A formula KaTeX cannot parse fails the build,
 * naming the notebook and the cell.
 *
 * Deterministic: the same notebooks give byte-identical files (no dates, no random ids, no execution
 * metadata, files named by position), and the absolute path of the repository, should an output still
 * print one, is shown relative to it (reported on stderr: print such paths with repoPath()).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import katex from "katex";
import MarkdownIt from "markdown-it";
import { errorMessage, UserError } from "../lib/util/errors";
import { writeFileAtomic } from "../lib/util/files";
import { htmlEscape } from "../lib/report/markup";
import { currentProfile, figuresDir, Profile, REPO_ROOT, resultsDir } from "../lib/util/profile";

/** Where each profile's site goes; only the cpu profile's is tracked (.gitignore ignores results/). */
export const SITE_DIRS: Record<Profile, string> = {
  cpu: path.join(REPO_ROOT, "docs", "site"),
  ci: resultsDir("ci", "site"),
  paper: resultsDir("paper", "site"),
};

/** What the index says the numbers are, so no profile's numbers are read as another's. */
const PROFILE_NOTES: Record<Profile, string> = {
  ci: "the <b>ci</b> profile: tiny settings that <code>make test</code> runs to check that every cell works — <b>not results</b>",
  cpu: "the <b>cpu</b> profile of <code>make reproduce</code>: the theory exactly, and a CPU-scale study of the paper's recipe with a small log-linear policy — <b>not the paper's GPU numbers</b>",
  paper: "the <b>paper</b> profile: the GPU reproduction with Qwen2.5-1.5B (Docker, TRL, vLLM)",
};

/** A file the site consists of: its path relative to the site folder, and its bytes. */
interface SiteFile {
  name: string;
  data: string | Uint8Array;
}

/** One page of the site, in reading order (prev/next follow it). */
interface Page {
  file: string;
  title: string;
  /** The card's text on the index (HTML). */
  summary: string;
  /** The card's thumbnail, a figure file of the site; null when the page has no figure. */
  thumbnail: string | null;
  /** The page's content (HTML), without the navigation. */
  body: string;
}

export interface TablesSource {
  /** The page's file name in the site (`tables.html`). */
  file: string;
  /** The report's one-page Markdown (lib/report/write.ts writes it as tables.md). */
  markdown: string;
}

export interface SiteOptions {
  /** The executed notebooks (`results/<profile>/notebooks/*.ipynb`), in reading order. */
  notebooks: string[];
  /** The Tables 1–4 pages, after the notebooks. */
  tables: TablesSource[];
  /** The sentence of the index that says which run this is (HTML). */
  about: string;
}

// ---------------------------------------------------------------------------------------------
// Markdown and math

/** KaTeX at build time: throws on a formula it cannot parse or on sloppy input (strict), so that
 * a broken equation fails the build instead of showing red text on the published page. */
function renderTex(tex: string, displayMode: boolean): string {
  return katex.renderToString(tex, { displayMode, throwOnError: true, strict: "error", output: "htmlAndMathml" });
}

/**
 * markdown-it rules for `$…$` (inline) and `$$…$$` (display, inline or as a block of its own lines).
 * Inline math follows pandoc's rule: the opening `$` is followed by a non-space, the closing one
 * preceded by a non-space and not followed by a digit, so "$5 and $10" is no formula (it stays text,
 * which the browser check reports: write `\$`). Code spans are consumed before these rules see a `$`.
 */
function mathPlugin(md: MarkdownIt.MarkdownIt): void {
  // A dollar meant as one is written `\$` (JupyterLab, too, would read "$5 and $10" as a formula); it
  // is marked, so that the browser check can tell it from a formula left unrendered.
  md.inline.ruler.before("escape", "dollar", (state, silent) => {
    if (state.src.charCodeAt(state.pos) !== 0x5c /* \ */ || state.src.charCodeAt(state.pos + 1) !== 0x24) return false;
    if (!silent) state.push("dollar", "span", 0);
    state.pos += 2;
    return true;
  });
  md.inline.ruler.before("escape", "math_inline", (state, silent) => {
    const src = state.src;
    const start = state.pos;
    if (src.charCodeAt(start) !== 0x24 /* $ */) return false;
    const display = src.charCodeAt(start + 1) === 0x24;
    const delim = display ? "$$" : "$";
    const open = start + delim.length;
    if (!display && (open >= state.posMax || /\s/.test(src[open]))) return false;
    let end = src.indexOf(delim, open);
    while (end !== -1) {
      const escaped = src[end - 1] === "\\";
      const badClose = !display && (/\s/.test(src[end - 1]) || /[0-9]/.test(src[end + 1] ?? ""));
      if (!escaped && !badClose) break;
      end = src.indexOf(delim, end + 1);
    }
    if (end === -1 || end === open || end + delim.length > state.posMax) return false;
    if (!silent) {
      const token = state.push("math_inline", "math", 0);
      token.content = src.slice(open, end);
      token.meta = { display };
    }
    state.pos = end + delim.length;
    return true;
  });
  md.block.ruler.before("fence", "math_block", (state, startLine, endLine, silent) => {
    if (state.sCount[startLine] - state.blkIndent >= 4) return false; // an indented code block
    const lineText = (n: number) => state.src.slice(state.bMarks[n] + state.tShift[n], state.eMarks[n]);
    const first = lineText(startLine);
    if (!first.startsWith("$$")) return false;
    let content: string;
    let last = startLine;
    const rest = first.slice(2).trimEnd();
    if (rest.endsWith("$$")) content = rest.slice(0, -2);
    else {
      const lines = [rest];
      for (last = startLine + 1; last < endLine; last++) {
        const text = lineText(last).trimEnd();
        if (text.endsWith("$$")) {
          lines.push(text.slice(0, -2));
          break;
        }
        lines.push(text);
      }
      if (last >= endLine) return false; // never closed: leave it to the paragraph (the checker sees the "$")
      content = lines.join("\n");
    }
    if (silent) return true;
    state.line = last + 1;
    const token = state.push("math_block", "math", 0);
    token.block = true;
    token.content = content;
    token.map = [startLine, state.line];
    return true;
  });
  md.renderer.rules.dollar = () => '<span class="dollar">$</span>';
  md.renderer.rules.math_inline = (tokens, idx) => renderTex(tokens[idx].content, Boolean(tokens[idx].meta?.display));
  md.renderer.rules.math_block = (tokens, idx) => `<div class="math-display">${renderTex(tokens[idx].content, true)}</div>\n`;
}

/** Markdown cells: with math. HTML in a cell is kept, as Jupyter keeps it. */
const markdownCells = new MarkdownIt({ html: true }).use(mathPlugin);
/** Markdown outputs (tables, notes a cell shows): no math, so that "$" stays a dollar. */
const markdownOutputs = new MarkdownIt({ html: true }).use(blankTimingColumns);

/** A Markdown cell as the site renders it (HTML with KaTeX markup). */
export const renderMarkdownCell = (text: string): string => markdownCells.render(text);

// ---------------------------------------------------------------------------------------------
// Notebooks

interface NotebookCell {
  cell_type: "code" | "markdown" | "raw";
  source: string | string[];
  execution_count?: number | null;
  outputs?: NotebookOutput[];
}

interface NotebookOutput {
  output_type: "stream" | "display_data" | "execute_result" | "error";
  name?: string;
  text?: string | string[];
  data?: Record<string, string | string[]>;
  ename?: string;
  evalue?: string;
}

const joined = (s: string | string[] | undefined): string => (Array.isArray(s) ? s.join("") : s ?? "");
const stem = (file: string) => path.basename(file).replace(/\.ipynb$/, "");
// Terminal colours in a stream (a Node warning, a stack) are not text.
// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");

/** Counts the absolute repository paths shown relative, per notebook, for the stderr note. */
const relativised = new Map<string, number>();

/** An output's text with the repository's absolute path shown relative to it (see the file's comment). */
function relativise(text: string, where: string): string {
  const parts = text.split(REPO_ROOT + path.sep);
  if (parts.length > 1) relativised.set(where, (relativised.get(where) ?? 0) + parts.length - 1);
  return parts.join("");
}

/**
 * Output that changes from run to run while no result does, kept off the published pages so that a
 * rerun that changes no result changes no file: the elapsed time in progress lines (lib/util/progress.ts:
 * "planning evaluation layouts 44/44 (1.2s)" → "… 44/44"), and whole lines that count the jobs a
 * resumed run found done or time the run; and timing columns of tables (below). When a rerun of `make site` changes files while the results
 * did not change (git diff docs/site/), the line that did belongs here.
 */
const ELAPSED = / \((?:\d+(?:\.\d+)?s|\d+m\d{2}s)(?: eta [^)]*)?\)/g;
const RUN_DEPENDENT_LINES: RegExp[] = [
  /^study: \d+ job\(s\) ran here, \d+ already done\b/, // lib/workflows/study/run.ts, a progress line
  /^\d+ job\(s\) ran, \d+ were already done\.$/, // notebook 05
  /^Wall time \d+ s\b/, // the study's and the comparison's timings markdown: wall time, job times, load
  /^comparison: \d+ job\(s\) ran here, \d+ already done\b/, // lib/workflows/comparison/run.ts, a progress line
  /^\[1\] \d+\/\d+ .*\|\s+\[2\] /, // the workers' last progress line ("[1] 57/64 eval … | [2] …"), as a run with --workers left it
];

/** Table columns that time the run ("plan ms", "planner ms", the comparison's "training CPU time (s)"): their cells are
 * shown as "…" on the published pages, for the same reason. */
const RUN_DEPENDENT_COLUMN = /(^|\s)(ms|seconds|\(s\))$/;

/** In every table of a Markdown output, the cells of a timing column become "…" (a markdown-it core
 * rule: the header's text picks the columns, whatever the table's escaping and alignment). */
function blankTimingColumns(md: MarkdownIt.MarkdownIt): void {
  md.core.ruler.push("blank_timing_columns", (state) => {
    let columns: Set<number> | null = null;
    let col = 0;
    let inHead = false;
    for (const t of state.tokens) {
      if (t.type === "table_open") columns = new Set();
      else if (t.type === "thead_open") inHead = true;
      else if (t.type === "thead_close") inHead = false;
      else if (t.type === "tr_open") col = 0;
      else if (t.type === "th_open" || t.type === "td_open") col++;
      else if (t.type === "inline" && columns) {
        if (inHead && RUN_DEPENDENT_COLUMN.test(t.content.trim())) columns.add(col);
        else if (!inHead && columns.has(col) && t.content.trim()) {
          t.content = "…";
          t.children = [Object.assign(new state.Token("text", "", 0), { content: "…" })];
        }
      } else if (t.type === "table_close") columns = null;
    }
  });
}

/** Counts the run-dependent lines left out, per notebook, for the stderr note. */
const leftOut = new Map<string, number>();

/** An output's text without what only this run printed (above); `elapsed`: also progress times. */
function publishable(text: string, where: string, elapsed: boolean): string {
  const lines = text.split("\n");
  const kept = lines.filter((l) => !RUN_DEPENDENT_LINES.some((re) => re.test(l.trim())));
  if (kept.length < lines.length) leftOut.set(where, (leftOut.get(where) ?? 0) + lines.length - kept.length);
  const out = kept.join("\n");
  return elapsed ? out.replace(ELAPSED, "") : out;
}

/** Read an executed notebook; one-line errors for what makes it unpublishable. */
function readExecuted(file: string): NotebookCell[] {
  const rel = path.relative(REPO_ROOT, file);
  if (!fs.existsSync(file)) throw new UserError(`${rel} does not exist: run the notebooks first (make reproduce, or make test-notebooks for ci)`);
  let cells: NotebookCell[];
  try {
    cells = (JSON.parse(fs.readFileSync(file, "utf8")) as { cells: NotebookCell[] }).cells;
  } catch (e) {
    throw new UserError(`${rel} is not a notebook: ${errorMessage(e)}`);
  }
  if (!Array.isArray(cells)) throw new UserError(`${rel} is not a notebook: no cells`);
  cells.forEach((c, i) => {
    if (c.cell_type !== "code") return;
    if (c.execution_count == null) throw new UserError(`${rel}: cell ${i + 1} was not executed (the run stopped before it): rerun the notebooks`);
    const error = (c.outputs ?? []).find((o) => o.output_type === "error");
    if (error) throw new UserError(`${rel}: cell ${i + 1} failed (${error.ename}: ${error.evalue}): rerun the notebooks`);
  });
  return cells;
}

/**
 * The title (the first `# ` heading) and summary of a notebook's first Markdown cell: the card on the
 * index says what the notebook says. The summary is the first paragraph after the title, with the
 * display equation it introduces ("… satisfies" + `$$…$$`); a closing sentence that announces a list
 * ("Three parts:") is left to the page.
 */
function titleAndSummary(markdown: string, where: string, md: MarkdownIt.MarkdownIt): { title: string; summary: string } {
  const lines = markdown.split("\n");
  const heading = lines.findIndex((l) => /^#\s/.test(l));
  if (heading < 0) throw new UserError(`${where}: the first Markdown cell has no "# " title`);
  const title = lines[heading].replace(/^#\s+/, "").trim();
  const [first = "", next = ""] = lines.slice(heading + 1).join("\n").split(/\n\s*\n/).map((b) => b.trim()).filter(Boolean);
  let summary = first;
  if (next.startsWith("$$") && !/[.!?]$/.test(first)) summary += "\n\n" + next;
  else if (first.endsWith(":")) {
    const ends = [...first.matchAll(/[.!?](?=\s)/g)];
    if (ends.length) summary = first.slice(0, ends[ends.length - 1].index! + 1);
  }
  return { title, summary: md.render(summary) };
}

const OMITTED = '<p class="omitted">(Run-dependent output — timings, jobs a resumed run found done — is left off the published page.)</p>';

/** Markup for the mime type a notebook front end would show, and the figure files it needs (error
 * outputs never get here: readExecuted refuses a notebook that has one). */
function renderOutput(o: NotebookOutput, where: string, figureBase: string, alt: string, files: SiteFile[]): string {
  const text = (s: string | string[] | undefined, elapsed: boolean) => publishable(stripAnsi(relativise(joined(s), where)), where, elapsed);
  const pre = (cls: string, s: string) => (s.trim() ? `<pre class="${cls}">${htmlEscape(s)}</pre>` : OMITTED);
  if (o.output_type === "stream") return pre(`output stream${o.name === "stderr" ? " stderr" : ""}`, text(o.text, true));
  const data = o.data ?? {};
  if (data["image/svg+xml"] !== undefined) {
    let svg = joined(data["image/svg+xml"]);
    // An SVG file shown by <img> needs its namespace; vega writes it, a hand-made SVG may not.
    if (!/<svg[^>]*\sxmlns=/.test(svg)) svg = svg.replace(/<svg/, '<svg xmlns="http://www.w3.org/2000/svg"');
    files.push({ name: `${figureBase}.svg`, data: svg });
    const size = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
    const dims = size ? ` width="${Math.round(Number(size[1]))}" height="${Math.round(Number(size[2]))}"` : "";
    return `<figure><img src="${figureBase}.svg" alt="${htmlEscape(alt)}"${dims}></figure>`;
  }
  if (data["image/png"] !== undefined) {
    files.push({ name: `${figureBase}.png`, data: Buffer.from(joined(data["image/png"]), "base64") });
    return `<figure><img src="${figureBase}.png" alt="${htmlEscape(alt)}"></figure>`;
  }
  if (data["text/html"] !== undefined) return `<div class="output html">${relativise(joined(data["text/html"]), where)}</div>`;
  if (data["text/markdown"] !== undefined) {
    const md = text(data["text/markdown"], false);
    return md.trim() ? `<div class="output markdown">${markdownOutputs.render(md)}</div>` : OMITTED;
  }
  if (data["text/plain"] !== undefined) return pre("output", text(data["text/plain"], true));
  // An output the site cannot show would vanish from the page: say so instead.
  throw new UserError(`${where}: no way to publish an output of type ${Object.keys(data).join(", ") || o.output_type}`);
}

/** One notebook as a page: Markdown cells rendered (with math), code cells as code and their outputs. */
function notebookPage(file: string, files: SiteFile[]): Page {
  const name = stem(file);
  const cells = readExecuted(file);
  const first = cells.find((c) => c.cell_type === "markdown");
  if (!first) throw new UserError(`${name}: no Markdown cell to take the title from`);
  let heading: { title: string; summary: string };
  try {
    heading = titleAndSummary(joined(first.source), name, markdownCells);
  } catch (e) {
    throw e instanceof UserError ? e : new UserError(`${name}: cell ${cells.indexOf(first) + 1} (Markdown): ${errorMessage(e)}`);
  }
  const { title, summary } = heading;
  const parts: string[] = [];
  const figures: string[] = [];
  cells.forEach((cell, i) => {
    const where = `${name}: cell ${i + 1}`;
    if (cell.cell_type === "markdown") {
      try {
        parts.push(`<section class="markdown">\n${markdownCells.render(joined(cell.source))}</section>`);
      } catch (e) {
        throw new UserError(`${where} (Markdown): ${errorMessage(e)}`);
      }
      return;
    }
    if (cell.cell_type !== "code") return;
    parts.push(`<pre class="source"><code>${htmlEscape(joined(cell.source))}</code></pre>`);
    // Consecutive stream chunks are one block, as a notebook front end shows them.
    const outputs: NotebookOutput[] = [];
    for (const o of cell.outputs ?? []) {
      const prev = outputs[outputs.length - 1];
      if (o.output_type === "stream" && prev?.output_type === "stream" && prev.name === o.name) prev.text = joined(prev.text) + joined(o.text);
      else outputs.push({ ...o });
    }
    // Figures are numbered among the cell's figures, not its outputs: a progress line that only a
    // first run prints (left off the page) must not rename the figures after it.
    let inCell = 0;
    outputs.forEach((o) => {
      const base = `figures/${name}/cell${String(i + 1).padStart(2, "0")}-${inCell + 1}`;
      const before = files.length;
      parts.push(renderOutput(o, name, base, `${title}: figure ${figures.length + 1}`, files));
      if (files.length > before) {
        figures.push(files[files.length - 1].name);
        inCell++;
      }
    });
  });
  return { file: `${name}.html`, title, summary, thumbnail: figures[0] ?? null, body: parts.join("\n") };
}

/**
 * A Tables 1–4 page from the report's one-page Markdown (no math: it is an output). Its figures are
 * SVG files beside tables.md; they are copied into the site.
 */
function tablesPage(source: TablesSource, files: SiteFile[]): Page {
  const name = source.file.replace(/\.html$/, "");
  const text = fs.existsSync(source.markdown) ? fs.readFileSync(source.markdown, "utf8") : null;
  if (text === null) throw new UserError(`${path.relative(REPO_ROOT, source.markdown)} does not exist: notebook 07 writes it (run the notebooks first)`);
  const { title, summary } = titleAndSummary(text, path.relative(REPO_ROOT, source.markdown), markdownOutputs);
  let thumbnail: string | null = null;
  const md = text.replace(/!\[([^\]]*)\]\(([^)\s]+)\)/g, (_m, alt: string, src: string) => {
    const from = path.resolve(path.dirname(source.markdown), src);
    if (!fs.existsSync(from)) throw new UserError(`${path.relative(REPO_ROOT, source.markdown)}: figure ${src} does not exist`);
    const to = `figures/${name}/${path.basename(src)}`;
    files.push({ name: to, data: fs.readFileSync(from) });
    thumbnail ??= to;
    return `![${alt}](${to})`;
  });
  const body = `<div class="output markdown">${markdownOutputs.render(relativise(md, name))}</div>`;
  return { file: source.file, title: `Tables 1–4 — ${title}`, summary, thumbnail, body };
}

// ---------------------------------------------------------------------------------------------
// Pages

const STYLE = `/* The site's own style: readable prose, wide tables that scroll, figures that fit. */
:root { --fg: #1d232b; --muted: #5b6673; --line: #d9dee4; --bg-code: #f5f7f9; --accent: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); font: 16px/1.55 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
main { max-width: 64rem; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
a { color: var(--accent); }
nav.pager { display: flex; gap: 1rem; justify-content: space-between; max-width: 64rem; margin: 0 auto; padding: .6rem 1.25rem; font-size: .92rem; border-bottom: 1px solid var(--line); }
nav.pager.bottom { border-bottom: 0; border-top: 1px solid var(--line); }
nav.pager span { flex: 1; }
nav.pager .next { text-align: right; }
nav.pager .home { text-align: center; }
h1 { font-size: 1.7rem; line-height: 1.25; }
pre { background: var(--bg-code); padding: .6rem .8rem; overflow-x: auto; font-size: .85rem; line-height: 1.4; border-radius: 4px; }
pre.source { border-left: 3px solid var(--accent); }
pre.output { background: #fff; border: 1px solid var(--line); }
pre.stderr { border-color: #e0b4b4; background: #fff8f8; }
code { font-family: "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace; }
.output.markdown, .output.html { overflow-x: auto; }
table { border-collapse: collapse; margin: .6rem 0; font-size: .9rem; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; vertical-align: top; }
th { background: var(--bg-code); }
figure { margin: 1rem 0; }
figure img { max-width: 100%; height: auto; }
.math-display { overflow-x: auto; overflow-y: hidden; }
.about, .omitted { color: var(--muted); }
.omitted { font-size: .85rem; font-style: italic; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); gap: 1rem; padding: 0; list-style: none; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem; display: flex; flex-direction: column; gap: .5rem; }
.card h2 { font-size: 1.1rem; margin: 0; line-height: 1.3; }
.card .thumb { display: block; height: 11rem; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
.card .thumb img { width: 100%; height: 100%; object-fit: contain; }
.card .summary { font-size: .9rem; overflow-x: auto; }
.card .summary p { margin: .3rem 0; }
.card .math-display { font-size: .75em; }
`;

/** The KaTeX stylesheet with only its woff2 fonts (every browser that renders the site reads woff2;
 * the woff and ttf copies would triple the fonts' size), and those font files. */
function katexAssets(): SiteFile[] {
  const dist = path.dirname(require.resolve("katex/dist/katex.min.css"));
  const css = fs.readFileSync(path.join(dist, "katex.min.css"), "utf8").replace(/src:(url\(fonts\/[^)]+\.woff2\) format\("woff2"\))(,url\([^)]+\) format\("[a-z]+"\))+/g, "src:$1");
  if (/\.(woff|ttf)\)/.test(css)) throw new UserError("katex.min.css: unexpected @font-face sources (the woff2-only rewrite no longer matches this KaTeX version)");
  const fonts = fs.readdirSync(path.join(dist, "fonts")).filter((f) => f.endsWith(".woff2")).sort();
  return [
    { name: "katex/katex.min.css", data: css },
    ...fonts.map((f) => ({ name: `katex/fonts/${f}`, data: fs.readFileSync(path.join(dist, "fonts", f)) })),
  ];
}

function layout(title: string, body: string, nav: string): string {
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No favicon: without this line the browser asks for /favicon.ico, a 404 on every page.
    '<link rel="icon" href="data:,">',
    `<title>${htmlEscape(title)}</title>`,
    '<link rel="stylesheet" href="katex/katex.min.css">',
    '<link rel="stylesheet" href="style.css">',
    "</head>",
    "<body>",
    nav.replace('class="pager"', 'class="pager top"'),
    "<main>",
    body,
    "</main>",
    nav.replace('class="pager"', 'class="pager bottom"'),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function pager(pages: Page[], i: number): string {
  const link = (p: Page | undefined, rel: string, arrow: string) =>
    p ? `<a href="${p.file}" rel="${rel}">${rel === "prev" ? arrow + " " : ""}${htmlEscape(p.title)}${rel === "next" ? " " + arrow : ""}</a>` : "";
  return `<nav class="pager"><span class="prev">${link(pages[i - 1], "prev", "←")}</span><span class="home"><a href="index.html">Index</a></span><span class="next">${link(pages[i + 1], "next", "→")}</span></nav>`;
}

function indexPage(pages: Page[], about: string): string {
  const cards = pages.map(
    (p) =>
      `<li class="card">\n<h2><a href="${p.file}">${htmlEscape(p.title)}</a></h2>\n` +
      (p.thumbnail ? `<a class="thumb" href="${p.file}"><img src="${p.thumbnail}" alt="${htmlEscape(p.title)}: key figure"></a>\n` : "") +
      `<div class="summary">${p.summary}</div>\n</li>`,
  );
  const body = [
    "<h1>Training Task Reasoning LLM Agents for Multi-turn Task Planning via Single-turn RL — the notebooks, executed</h1>",
    `<p class="about">stgrpo's notebooks for Hu, Liu, Li, Wang (arXiv 2509.20616), run top to bottom in ${about}. Each card opens the notebook with its figures, tables and outputs; the last pages are Tables 1–4.</p>`,
    '<ul class="cards">',
    ...cards,
    "</ul>",
  ].join("\n");
  const nav = `<nav class="pager"><span class="prev"></span><span class="home">Index</span><span class="next">${pages[0] ? `<a href="${pages[0].file}" rel="next">${htmlEscape(pages[0].title)} →</a>` : ""}</span></nav>`;
  return layout("stgrpo — the executed notebooks", body, nav);
}

/** Every file of the site, in a stable order. */
export function buildSiteFiles(opts: SiteOptions): SiteFile[] {
  relativised.clear();
  leftOut.clear();
  const files: SiteFile[] = [];
  const pages = [...opts.notebooks.map((f) => notebookPage(f, files)), ...opts.tables.map((t) => tablesPage(t, files))];
  if (!pages.length) throw new UserError("no notebooks to publish");
  pages.forEach((p, i) => files.push({ name: p.file, data: layout(p.title, `<article>\n${p.body}\n</article>`, pager(pages, i)) }));
  files.push({ name: "index.html", data: indexPage(pages, opts.about) }, { name: "style.css", data: STYLE }, ...katexAssets());
  // The folder marks itself as this script's, so that a rebuild never deletes a folder it did not write.
  files.push({ name: MARKER, data: "Written by scripts/site.ts (make site); rebuilt from the executed notebooks, do not edit.\n" });
  const names = new Set<string>();
  for (const f of files) {
    if (names.has(f.name)) throw new UserError(`two site files named ${f.name}`);
    names.add(f.name);
  }
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const MARKER = ".stgrpo-site";

/**
 * Write the site to `out`, replacing what was there: built in a folder beside it, then swapped in, so
 * that a failed build leaves the previous site whole. Refuses to replace a non-empty folder that this
 * script did not write.
 */
export function writeSite(out: string, files: SiteFile[]): void {
  if (fs.existsSync(out) && fs.readdirSync(out).length && !fs.existsSync(path.join(out, MARKER))) {
    throw new UserError(`${out} exists and is not a site this script wrote (no ${MARKER}): refusing to replace it`);
  }
  const staging = `${out}.tmp-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    for (const f of files) writeFileAtomic(path.join(staging, f.name), f.data);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  fs.rmSync(out, { recursive: true, force: true });
  fs.renameSync(staging, out);
}

/** The site of a profile: its executed notebooks (every notebook of notebooks/ must have run) and
 * notebook 07's tables. */
export function profileSiteOptions(profile: Profile): SiteOptions {
  const sources = fs.readdirSync(path.join(REPO_ROOT, "notebooks")).filter((f) => /^\d\d-.*\.ipynb$/.test(f)).sort();
  return {
    notebooks: sources.map((f) => resultsDir(profile, "notebooks", f)),
    tables: [
      { file: "tables.html", markdown: figuresDir(profile, "tables.md") },
      { file: "tables-published.html", markdown: figuresDir(profile, "published", "tables.md") },
    ],
    about: PROFILE_NOTES[profile],
  };
}

function main(argv: string[]): void {
  let profile: Profile = currentProfile();
  let out: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--profile" && argv[i + 1]) profile = currentProfile({ PROFILE: argv[++i] });
    else if (a === "--out" && argv[i + 1]) out = path.resolve(argv[++i]);
    else if (a === "--help" || a === "-h") {
      console.log("usage: npx tsx scripts/site.ts [--profile cpu|ci|paper] [--out DIR]");
      return;
    } else throw new UserError(`unknown argument "${a}" (usage: scripts/site.ts [--profile P] [--out DIR])`);
  }
  const dir = out ?? SITE_DIRS[profile];
  const files = buildSiteFiles(profileSiteOptions(profile));
  writeSite(dir, files);
  const bytes = files.reduce((n, f) => n + (typeof f.data === "string" ? Buffer.byteLength(f.data) : f.data.byteLength), 0);
  for (const [where, n] of leftOut) console.error(`site: ${where}: ${n} run-dependent line(s) (timings, resumed jobs) left off the pages`);
  for (const [where, n] of relativised) console.error(`site: ${where}: ${n} absolute path(s) of this machine shown relative to the repository (print paths with repoPath)`);
  console.log(`site: ${path.relative(REPO_ROOT, dir) || dir}/ — ${files.filter((f) => f.name.endsWith(".html")).length} pages, ${files.length} files, ${(bytes / 1024).toFixed(0)} KiB`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(`stgrpo site: ${errorMessage(e)}`);
    process.exit(1);
  }
}
