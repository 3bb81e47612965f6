/**
 * Check a built site (scripts/site.ts) in a real browser: the OS's Chromium, headless, driven by
 * playwright-core, the site served over HTTP on a loopback port. Every page reachable from the index
 * is opened, and a page fails when
 *
 * - the browser logs a console error or the page throws;
 * - a request of the page (stylesheet, font, image) gets no 200 from the server;
 * - an image is not decoded (naturalWidth 0);
 * - a link inside the site names a file that does not exist or an anchor that is not on its page;
 * - a KaTeX formula shows an error, KaTeX's stylesheet did not apply, or rendered Markdown text still
 *   holds a "$" (a formula left as source; a dollar meant as one is written `\$` and marked); and the
 *   site as a whole holds no formula at all.
 *
 * Every .html file of the site must be reachable from the index. A screenshot of the index is written
 * beside the site (results/<profile>/site-index.png), or to `--screenshot FILE`.
 *
 *   npx tsx scripts/site-check.ts [--profile ci|cpu|paper] [--screenshot FILE]   # the profile's site
 *   npx tsx scripts/site-check.ts SITE_DIR [--screenshot FILE]
 *
 * Chromium: /usr/bin/chromium (Debian's package; scripts/setup.sh installs it), or $CHROMIUM. Its
 * background networking is switched off: on a closed network its connections are refused and logged.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import type { AddressInfo } from "node:net";
import { chromium, BrowserContext } from "playwright-core";
import { errorMessage, UserError } from "../lib/util/errors";
import { currentProfile, Profile, repoPath, resultsDir } from "../lib/util/profile";
import { SITE_DIRS } from "./site";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** Flags for a quiet, offline browser (playwright adds --headless; the profile is a fresh temp folder). */
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".js": "text/javascript",
};

export interface SiteCheck {
  pages: string[];
  images: number;
  links: number;
  /** KaTeX formulas on all pages. */
  formulas: number;
  problems: string[];
  screenshot: string | null;
  /** The browser's profile folder (--user-data-dir), removed again with the browser. */
  profileDir: string;
}

/** A static file server for `dir` on 127.0.0.1 and a free port; only files inside `dir`. */
async function serve(dir: string): Promise<{ server: http.Server; origin: string }> {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    let rel = decodeURIComponent(url.pathname);
    if (rel.endsWith("/")) rel += "index.html";
    const file = path.resolve(root, "." + rel);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[path.extname(file)] ?? "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve, reject) => server.listen(0, "127.0.0.1", resolve).once("error", reject));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** What a page reports about itself (run in the page; a string so that lib stays without DOM types). */
const INSPECT = `(() => {
  const images = [...document.images].map((img) => ({ src: img.getAttribute("src"), ok: img.complete && img.naturalWidth > 0 }));
  const links = [...document.querySelectorAll("a[href]")].map((a) => a.getAttribute("href"));
  const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
  const formulas = document.querySelectorAll(".katex").length;
  const katexErrors = document.querySelectorAll(".katex-error").length;
  const first = document.querySelector(".katex");
  const katexStyled = !first || getComputedStyle(first).fontFamily.includes("KaTeX_Main");
  // Text of rendered Markdown (cells, and the index's summaries) outside code and formulas.
  const raw = [];
  for (const block of document.querySelectorAll("section.markdown, .card .summary")) {
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => n.parentElement.closest("code, pre, .katex, .math-display, .dollar") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
    });
    for (let n = walker.nextNode(); n; n = walker.nextNode()) if (n.nodeValue.includes("$")) raw.push(n.nodeValue.trim().slice(0, 80));
  }
  return { images, links, ids, formulas, katexErrors, katexStyled, raw };
})()`;

interface PageReport {
  images: { src: string; ok: boolean }[];
  links: string[];
  ids: string[];
  formulas: number;
  katexErrors: number;
  katexStyled: boolean;
  raw: string[];
}

export async function checkSite(dir: string, opts: { screenshot?: string | null } = {}): Promise<SiteCheck> {
  const root = path.resolve(dir);
  if (!fs.existsSync(path.join(root, "index.html"))) throw new UserError(`${repoPath(root)}/index.html does not exist: build the site first (make site)`);
  if (!fs.existsSync(CHROMIUM)) throw new UserError(`no Chromium at ${CHROMIUM}: run scripts/setup.sh (it installs Debian's chromium), or set CHROMIUM`);
  const { server, origin } = await serve(root);
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-chromium-"));
  let context: BrowserContext | null = null;
  const result: SiteCheck = { pages: [], images: 0, links: 0, formulas: 0, problems: [], screenshot: null, profileDir };
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1280, height: 900 },
      timeout: 60_000,
    });
    const queue = ["index.html"];
    const seen = new Set(queue);
    const idsOf = new Map<string, string[]>();
    const anchors: { from: string; page: string; id: string }[] = [];
    while (queue.length) {
      const file = queue.shift()!;
      const problem = (what: string) => result.problems.push(`${file}: ${what}`);
      const page = await context.newPage();
      page.on("console", (m) => m.type() === "error" && problem(`console error: ${m.text()}`));
      page.on("pageerror", (e) => problem(`page error: ${e.message}`));
      page.on("requestfailed", (r) => problem(`request failed: ${r.url().replace(origin, "")} (${r.failure()?.errorText})`));
      page.on("response", (r) => r.status() !== 200 && problem(`HTTP ${r.status()} for ${r.url().replace(origin, "")}`));
      const response = await page.goto(`${origin}/${file}`, { waitUntil: "load" });
      if (!response || response.status() !== 200) problem(`HTTP ${response?.status()}`);
      await page.evaluate("document.fonts.ready.then(() => true)");
      const report = (await page.evaluate(INSPECT)) as PageReport;
      result.pages.push(file);
      result.images += report.images.length;
      result.formulas += report.formulas;
      idsOf.set(file, report.ids);
      for (const img of report.images) if (!img.ok) problem(`image not shown: ${img.src}`);
      if (report.katexErrors) problem(`${report.katexErrors} KaTeX error(s)`);
      if (!report.katexStyled) problem("KaTeX's stylesheet did not apply (formulas in the fallback font)");
      for (const r of report.raw) problem(`"$" left in rendered Markdown: "${r}"`);
      for (const href of report.links) {
        result.links++;
        if (/^[a-z][a-z0-9+.-]*:/i.test(href)) continue; // another site: not followed offline
        const [target, anchor] = href.split("#");
        const resolved = target ? path.posix.normalize(path.posix.join(path.posix.dirname(file), target)) : file;
        if (resolved.startsWith("..") || !fs.existsSync(path.join(root, resolved))) {
          problem(`link to a missing file: ${href}`);
          continue;
        }
        if (anchor) anchors.push({ from: file, page: resolved, id: anchor });
        if (resolved.endsWith(".html") && !seen.has(resolved)) {
          seen.add(resolved);
          queue.push(resolved);
        }
      }
      if (file === "index.html" && opts.screenshot) {
        fs.mkdirSync(path.dirname(path.resolve(opts.screenshot)), { recursive: true });
        await page.screenshot({ path: opts.screenshot, fullPage: true });
        result.screenshot = opts.screenshot;
      }
      await page.close();
    }
    for (const a of anchors) if (idsOf.has(a.page) && !idsOf.get(a.page)!.includes(a.id)) result.problems.push(`${a.from}: link to a missing anchor: ${a.page}#${a.id}`);
    const unreachable = listHtml(root).filter((f) => !seen.has(f));
    for (const f of unreachable) result.problems.push(`${f}: not reachable from index.html`);
    if (result.formulas === 0) result.problems.push("no KaTeX formula on any page: the math was not rendered");
  } finally {
    // Closing the persistent context ends the browser process (playwright waits for it to exit).
    if (context) await context.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(profileDir, { recursive: true, force: true });
  }
  return result;
}

function listHtml(root: string, rel = ""): string[] {
  return fs.readdirSync(path.join(root, rel), { withFileTypes: true }).flatMap((e) => {
    const p = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? listHtml(root, p) : e.name.endsWith(".html") ? [p] : [];
  });
}

const USAGE = "usage: npx tsx scripts/site-check.ts [--profile P | SITE_DIR] [--screenshot FILE]";

async function main(argv: string[]): Promise<number> {
  let profile: Profile = currentProfile();
  let dir: string | null = null;
  let screenshot: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--profile" && argv[i + 1]) profile = currentProfile({ PROFILE: argv[++i] });
    else if (a === "--screenshot" && argv[i + 1]) screenshot = argv[++i];
    else if (!a.startsWith("-") && dir === null) dir = a;
    else throw new UserError(`unknown argument "${a}" (${USAGE})`);
  }
  if (dir === null) {
    dir = SITE_DIRS[profile];
    screenshot ??= resultsDir(profile, "site-index.png");
  }
  const started = Date.now();
  const r = await checkSite(dir, { screenshot });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  for (const p of r.problems) console.error(`site-check: ${p}`);
  console.log(
    `site-check: ${repoPath(path.resolve(dir))}/: ${r.pages.length} pages, ${r.images} images, ${r.links} links, ${r.formulas} formulas — ` +
      `${r.problems.length ? `${r.problems.length} problem(s)` : "all good"} in ${secs}s${r.screenshot ? `; screenshot ${repoPath(path.resolve(r.screenshot))}` : ""}`,
  );
  return r.problems.length ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`stgrpo site-check: ${errorMessage(e)}`);
      process.exit(1);
    },
  );
}

