/**
 * The published site (scripts/site.ts) and its browser check (scripts/site-check.ts), on small executed
 * notebooks made here in tslab's output shapes: a real vega figure (SVG and PNG), Markdown tables, a
 * progress line, a dollar price in a stream, and LaTeX in Markdown cells. The check runs in the OS's
 * Chromium (scripts/setup.sh installs it), and must both pass this site and fail a broken copy of it.
 * The real ci profile's site is built and checked by `make test-site`, after the ci notebooks ran.
 */
import test from "ava";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../lib/util/profile";
import { svgToPng, toSvg } from "../lib/viz/render";
import { checkSite } from "../scripts/site-check";
import { buildSiteFiles, renderMarkdownCell, SiteOptions, writeSite } from "../scripts/site";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-site-"));
test.after.always(() => fs.rmSync(tmp, { recursive: true, force: true }));

const md = (source: string) => ({ cell_type: "markdown", metadata: {}, source });
let count = 0;
const code = (source: string, outputs: unknown[]) => ({
  cell_type: "code",
  // What nbclient records and the site must not publish: run times, run ids.
  metadata: { execution: { "iopub.execute_input": `2026-01-0${(count % 9) + 1}T10:00:00Z` } },
  execution_count: ++count,
  source,
  outputs,
});
const display = (mime: string, data: string) => ({ output_type: "display_data", metadata: {}, data: { [mime]: data } });
const stream = (text: string) => ({ output_type: "stream", name: "stdout", text });

async function fixtureNotebooks(dir: string): Promise<SiteOptions> {
  const svg = await toSvg({
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: "p_n over n",
    data: { values: [1, 2, 3, 4].map((n) => ({ n, p: 1 - 0.5 ** n })) },
    mark: "line",
    encoding: { x: { field: "n", type: "quantitative" }, y: { field: "p", type: "quantitative" } },
  });
  const png = Buffer.from(svgToPng(svg, 1)).toString("base64");
  const notebooks = {
    "01-theory.ipynb": [
      md("# 01 — The recursion\n\nThe success probability satisfies\n\n$$P_t(s_t) = \\mathbb{E}_{a \\sim \\pi(\\cdot \\mid s_t)}\\big[r(s_t, a)\\, P_{t+1}(f(s_t, a))\\big],$$\n\nso $P_0 = \\prod_t \\pi(a_t^{GT} \\mid s_t)$.\n\nHeadless: `stgrpo theory success --mdp FILE`."),
      code('import { showFigure } from "./lib/viz/notebook";', [stream(`{ out: '${REPO_ROOT}/paper-figures/ci' }\n`)]),
      md("## $p_n$ over $n$\n\nWith $\\beta = 0.001$ and $\\varepsilon = 10^{-4}$ the logit stops at $10^5$; prices of \\$5 and \\$10 are no formula."),
      code("await showFigure(spec, 'recursion')", [display("image/svg+xml", svg), stream("paper-figures/ci/recursion.svg\n")]),
      code("showMarkdown(table)", [display("text/markdown", "| model | cost |\n|---|---|\n| api | $5 per $1M tokens |\n")]),
    ],
    "02-outputs.ipynb": [
      md("# 02 — Outputs\n\nA PNG figure, a progress line, and a run-dependent line."),
      code("progress()", [display("text/plain", "planning evaluation layouts 44/44 (1.2s)"), display("image/png", png)]),
      code("runStudy()", [display("text/plain", "study: 28 job(s) ran here, 2 already done (7.9 s)"), display("text/markdown", "SR $0.55 \\to 0.79$ stays text in an output.")]),
      code("showMarkdown(plans)", [display("text/markdown", "| task | s | plan ms |\n|---|---|---|\n| burger | s0 | 12.5 |\n")]),
    ],
  };
  const nbDir = path.join(dir, "notebooks");
  fs.mkdirSync(nbDir, { recursive: true });
  for (const [name, cells] of Object.entries(notebooks)) fs.writeFileSync(path.join(nbDir, name), JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }));
  fs.writeFileSync(path.join(dir, "sr.svg"), svg);
  fs.writeFileSync(path.join(dir, "tables.md"), "# Fixture tables — not a result\n\nTables 1–4 from 3 episodes.\n\n| Task | SR |\n|---|---|\n| Burger | 0.5 |\n\n![SR per task](sr.svg)\n");
  return {
    notebooks: Object.keys(notebooks).map((n) => path.join(nbDir, n)),
    tables: [{ file: "tables.html", markdown: path.join(dir, "tables.md") }],
    about: "a test fixture",
  };
}

/** Pids of the live processes whose command line names `s` (Linux /proc). */
function processesNaming(s: string): number[] {
  return fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d)).flatMap((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(s) ? [Number(pid)] : [];
    } catch {
      return []; // exited while we looked
    }
  });
}

const text = (files: ReturnType<typeof buildSiteFiles>, name: string) => String(files.find((f) => f.name === name)?.data ?? "");

test("the site has an index of cards, a page per notebook and the tables, figures as files; rebuilt, it is byte-identical", async (t) => {
  const opts = await fixtureNotebooks(path.join(tmp, "build"));
  const files = buildSiteFiles(opts);
  const names = files.map((f) => f.name);
  for (const n of ["index.html", "01-theory.html", "02-outputs.html", "tables.html", "style.css", "katex/katex.min.css", "katex/fonts/KaTeX_Main-Regular.woff2"]) t.true(names.includes(n), n);
  // Figures are files (the SVG as it was shown, the PNG decoded), never inline data.
  t.true(names.includes("figures/01-theory/cell04-1.svg"));
  t.true(names.includes("figures/02-outputs/cell02-1.png"));
  t.true(names.includes("figures/tables/sr.svg"));
  for (const f of files.filter((f) => f.name.endsWith(".html"))) t.false(String(f.data).includes("base64,"), f.name);
  // KaTeX's stylesheet names only woff2 fonts, and ships only those.
  t.false(/\.(woff|ttf)\)/.test(text(files, "katex/katex.min.css")));
  t.false(names.some((n) => /\.(woff|ttf)$/.test(n)));

  const index = text(files, "index.html");
  t.is((index.match(/<li class="card">/g) ?? []).length, 3);
  t.true(index.includes('<a href="01-theory.html">01 — The recursion</a>'));
  t.true(index.includes('<a href="tables.html">Tables 1–4 — Fixture tables — not a result</a>'));
  t.true(index.includes('src="figures/01-theory/cell04-1.svg"'), "the first figure is the card's thumbnail");
  // The card's text is the notebook's own first paragraph, with the equation it introduces.
  t.true(index.includes("The success probability satisfies"));
  t.true(index.includes('class="katex-display"'));

  const page = text(files, "01-theory.html");
  t.true(page.includes('href="index.html"') && page.includes('href="02-outputs.html" rel="next"'));
  t.true(text(files, "02-outputs.html").includes('href="01-theory.html" rel="prev"'));
  // Math only in Markdown cells: the price in the prose stays text, the table output's "$" stays a dollar.
  t.true(page.includes('prices of <span class="dollar">$</span>5 and <span class="dollar">$</span>10 are no formula'));
  t.true(page.includes("$5 per $1M tokens"));
  t.true(text(files, "02-outputs.html").includes("SR $0.55 \\to 0.79$ stays text"));
  // The repository's absolute path is shown relative; nothing of the run's metadata is published.
  t.true(page.includes("{ out: &#39;paper-figures/ci&#39; }") || page.includes("{ out: 'paper-figures/ci' }"));
  const all = files.map((f) => (typeof f.data === "string" ? f.data : "")).join("\n");
  t.false(all.includes(REPO_ROOT));
  t.false(all.includes(tmp));
  t.false(all.includes("2026-01-0"));
  // Run-dependent output: the progress time goes, the count stays; the study's job line goes whole.
  const outputs = text(files, "02-outputs.html");
  t.true(outputs.includes("planning evaluation layouts 44/44</pre>"));
  t.false(outputs.includes("already done"));
  t.true(outputs.includes('class="omitted"'));
  // A timing column keeps its header and shows "…"; a column named "s" (a state) is no timing.
  t.true(outputs.includes("<th>plan ms</th>") && outputs.includes("<td>s0</td>\n<td>…</td>"));
  t.false(outputs.includes("12.5"));

  const again = buildSiteFiles(opts);
  t.deepEqual(again.map((f) => f.name), names);
  for (let i = 0; i < files.length; i++) t.true(Buffer.from(again[i].data).equals(Buffer.from(files[i].data)), files[i].name);
});

test("Markdown cells: $…$ and $$…$$ are KaTeX; prose dollars, \\$ and code spans are not", (t) => {
  t.true(renderMarkdownCell("the tilt $\\pi_n \\propto \\pi_{\\text{ref}}$ here").includes('class="katex"'));
  const block = renderMarkdownCell("$$\n\\frac{1}{\\beta}\n$$\n");
  t.true(block.startsWith('<div class="math-display"><span class="katex-display">'));
  // Not a formula (pandoc's rule), and left as a bare "$" that the browser check reports: write \$.
  t.is(renderMarkdownCell("costs $5 and $10 today"), "<p>costs $5 and $10 today</p>\n");
  t.is(renderMarkdownCell("costs \\$5"), '<p>costs <span class="dollar">$</span>5</p>\n');
  t.is(renderMarkdownCell("`${x}` and `$y$`"), "<p><code>${x}</code> and <code>$y$</code></p>\n");
  t.false(renderMarkdownCell("a $ b").includes("katex"));
  t.throws(() => renderMarkdownCell("$\\frac{1}{$"), { message: /KaTeX parse error/ });
});

test("a notebook that failed, did not finish, or holds a formula KaTeX cannot parse is refused with one line naming the cell", async (t) => {
  const opts = await fixtureNotebooks(path.join(tmp, "bad"));
  const file = opts.notebooks[1];
  const original = JSON.parse(fs.readFileSync(file, "utf8"));
  const variant = (edit: (nb: any) => void) => {
    const nb = structuredClone(original);
    edit(nb);
    fs.writeFileSync(file, JSON.stringify(nb));
    return t.throws(() => buildSiteFiles(opts))!.message;
  };
  t.regex(variant((nb) => (nb.cells[2].execution_count = null)), /02-outputs\.ipynb: cell 3 was not executed/);
  t.regex(variant((nb) => nb.cells[1].outputs.push({ output_type: "error", ename: "UserError", evalue: "no GPU", traceback: [] })), /cell 2 failed \(UserError: no GPU\)/);
  t.regex(variant((nb) => (nb.cells[0].source = "# 02\n\nBroken $\\frac{1}{$ formula.")), /02-outputs: cell 1 \(Markdown\): KaTeX parse error/);
  fs.rmSync(file);
  t.regex(t.throws(() => buildSiteFiles(opts))!.message, /02-outputs\.ipynb does not exist: run the notebooks first/);
});

test("writeSite replaces its own site and refuses a folder it did not write", async (t) => {
  const opts = await fixtureNotebooks(path.join(tmp, "replace"));
  const out = path.join(tmp, "replace", "site");
  writeSite(out, buildSiteFiles(opts));
  fs.writeFileSync(path.join(out, "stale.html"), "old");
  writeSite(out, buildSiteFiles(opts));
  t.false(fs.existsSync(path.join(out, "stale.html")), "a rebuild leaves no stale page");
  const other = path.join(tmp, "replace", "not-a-site");
  fs.mkdirSync(other);
  fs.writeFileSync(path.join(other, "notes.txt"), "mine");
  t.throws(() => writeSite(other, buildSiteFiles(opts)), { message: /is not a site this script wrote/ });
  t.is(fs.readFileSync(path.join(other, "notes.txt"), "utf8"), "mine");
});

// make image-check's Ubuntu image has no Chromium package (a snap only): there NO_BROWSER=1 skips this one, visibly.
const browserTest = process.env.NO_BROWSER ? test.skip : test;

browserTest("in headless Chromium every page loads cleanly with its images, links and math; a broken copy fails", async (t) => {
  const opts = await fixtureNotebooks(path.join(tmp, "browser"));
  const site = path.join(tmp, "browser", "site");
  writeSite(site, buildSiteFiles(opts));
  const screenshot = path.join(tmp, "browser", "site-index.png");
  const good = await checkSite(site, { screenshot });
  t.deepEqual(good.problems, []);
  t.deepEqual([...good.pages].sort(), ["01-theory.html", "02-outputs.html", "index.html", "tables.html"]);
  t.true(good.images >= 6, `images: ${good.images}`); // 3 thumbnails, 2 notebook figures, 1 table figure
  t.true(good.formulas >= 8, `formulas: ${good.formulas}`);
  t.deepEqual([...fs.readFileSync(screenshot).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  // The browser is gone with its profile: no process runs with that --user-data-dir.
  t.false(fs.existsSync(good.profileDir));
  t.deepEqual(processesNaming(good.profileDir), []);

  // Break it the ways the check exists for: a missing figure, a dead link, a formula left as source,
  // a page script error, and a page no link leads to.
  fs.rmSync(path.join(site, "figures", "02-outputs", "cell02-1.png"));
  const page = path.join(site, "01-theory.html");
  fs.writeFileSync(
    page,
    fs.readFileSync(page, "utf8")
      .replace("</article>", '<section class="markdown"><p>left as $x^2$ source</p></section><a href="03-missing.html">next</a><script>undefinedFunction()</script></article>'),
  );
  fs.writeFileSync(path.join(site, "orphan.html"), "<!DOCTYPE html><title>orphan</title>");
  const bad = await checkSite(site);
  const problems = bad.problems.join("\n");
  t.regex(problems, /02-outputs\.html: image not shown: figures\/02-outputs\/cell02-1\.png/);
  t.regex(problems, /02-outputs\.html: HTTP 404 for \/figures\/02-outputs\/cell02-1\.png/);
  t.regex(problems, /01-theory\.html: link to a missing file: 03-missing\.html/);
  t.regex(problems, /01-theory\.html: "\$" left in rendered Markdown: "left as \$x\^2\$ source"/);
  t.regex(problems, /01-theory\.html: page error: undefinedFunction is not defined/);
  t.regex(problems, /orphan\.html: not reachable from index\.html/);
});
