/**
 * The paper round trip: data/paper/*.csv → Tables 1–4 as CSV, Markdown and LaTeX, read back cell by
 * cell (with this file's own small readers, not lib's) against data/paper; the bold marks; the audit of
 * the published tables; and the interval arithmetic the comparison rests on.
 */
import test from "ava";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { auditTables, bestMask, compareWithPaper, loadPaperResults, moverDifference, paperRoundTrip, parseCsv, summarizeComparison, toCsv, writeReport } from "../lib/report/index";
import { evaluationOptima } from "../lib/expert/optima";
import { wilsonInterval } from "../lib/eval/metrics";

const DATA = path.join(__dirname, "..", "data", "paper");
const csvRows = (name: string) =>
  fs
    .readFileSync(path.join(DATA, name), "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((l) => l.split(",")); // the paper's files hold no quoted fields
const TABLE1 = csvRows("table1.csv");
const CROSS = csvRows("cross_task.csv");
const dash = (s: string) => (s === "" ? "—" : s);
const TITLES: Record<string, string> = { cheese_sandwich: "Cheese Sandwich", burger: "Burger", cheese_burger: "Cheese Burger", double_cheese_burger: "Double Cheese Burger" };
const TASKS = Object.keys(TITLES);

/** Body rows of a Markdown table: [text, bold][] per row. */
function mdRows(md: string): [string, boolean][][] {
  const lines = md.split("\n").filter((l) => l.startsWith("|"));
  return lines.slice(2).map((l) =>
    l
      .slice(2, -2)
      .split(" | ")
      .map((c): [string, boolean] => (c.startsWith("**") ? [c.slice(2, -2), true] : [c, false]))
      .map(([c, b]): [string, boolean] => [c.replace(/\\([&*|_])/g, "$1"), b]),
  );
}

/** Body rows of a booktabs tabular (between \midrule and \bottomrule). */
function texRows(tex: string): [string, boolean][][] {
  const body = tex.slice(tex.indexOf("\\midrule") + "\\midrule".length, tex.indexOf("\\bottomrule"));
  return body
    .split("\n")
    .filter((l) => l.endsWith(" \\\\") && !l.startsWith("\\"))
    .map((l) =>
      l
        .slice(0, -3)
        .split(" & ")
        .map((c): [string, boolean] => (c.startsWith("\\textbf{") ? [c.slice(8, -1), true] : [c, false]))
        .map(([c, b]): [string, boolean] => [c.replace(/^---$/, "—").replace(/\\&/g, "&"), b]),
    );
}

const OUT = fs.mkdtempSync(path.join(os.tmpdir(), "report-paper-"));
const paper = loadPaperResults();
const written = writeReport(paper, OUT, { figures: false });
const read = (f: string) => fs.readFileSync(path.join(OUT, f), "utf8");

test("the published set reads every cell of data/paper (28 Table 1 cells, 16 cross-task cells)", (t) => {
  t.is(paper.table1.length, 28);
  t.is(paper.cross.length, 16);
  t.deepEqual(paper.tasks, TASKS);
  t.is(paper.models.length, 7);
  t.is(paper.crossModel, "Qwen2.5-1.5b (w/ SFT & GRPO)");
  const burger14 = paper.table1.find((r) => r.task === "burger" && r.model === "Qwen2.5-14b")!;
  t.deepEqual([burger14.sr, burger14.asat, burger14.asst, burger14.timeout], [0, 15, 15, 15]);
});

test("round trip: table1.csv and cross_task.csv come back byte for byte", async (t) => {
  await written;
  t.is(read("table1.csv"), fs.readFileSync(path.join(DATA, "table1.csv"), "utf8"));
  t.is(read("cross_task.csv"), fs.readFileSync(path.join(DATA, "cross_task.csv"), "utf8"));
});

test("round trip: Table 1 in Markdown and LaTeX, cell by cell against data/paper/table1.csv", async (t) => {
  await written;
  for (const [fmt, rows] of [
    ["md", mdRows(read("table1.md"))],
    ["tex", texRows(read("table1.tex"))],
  ] as const) {
    t.is(rows.length, TABLE1.length, fmt);
    let task = "";
    rows.forEach((r, i) => {
      const [csvTask, model, sr, asat, asst] = TABLE1[i];
      if (r[0][0]) task = r[0][0];
      t.is(task, TITLES[csvTask], `${fmt} row ${i + 1}: task`);
      t.deepEqual(r.slice(1).map((c) => c[0]), [model, sr, asat, dash(asst)], `${fmt} row ${i + 1}`);
    });
  }
});

test("round trip: Tables 2, 3, 4 in Markdown and LaTeX, cell by cell against data/paper/cross_task.csv", async (t) => {
  await written;
  ["table2", "table3", "table4"].forEach((id, m) => {
    for (const [fmt, rows] of [
      ["md", mdRows(read(`${id}.md`))],
      ["tex", texRows(read(`${id}.tex`))],
    ] as const) {
      t.deepEqual(rows.map((r) => r[0][0]), TASKS.map((x) => TITLES[x]), `${id}.${fmt}: rows are the trained-on tasks`);
      TASKS.forEach((trained, i) =>
        TASKS.forEach((evaluated, j) => {
          const want = CROSS.find((r) => r[0] === trained && r[1] === evaluated)![2 + m];
          t.is(rows[i][j + 1][0], dash(want), `${id}.${fmt} ${trained} → ${evaluated}`);
        }),
      );
    }
  });
});

test("lib's own round-trip check agrees: every item identical", (t) => {
  const { checks } = paperRoundTrip();
  t.is(checks.length, 10);
  t.deepEqual(checks.filter((c) => !c.identical), []);
});

test("bold: the best SR (highest) and ASAT, ASST (lowest) of each task block and each evaluated-on column", async (t) => {
  await written;
  const bold1 = mdRows(read("table1.md")).flatMap((r, i) => ["sr", "asat", "asst"].filter((_, j) => r[j + 2][1]).map((m) => `${TABLE1[i][0]}/${TABLE1[i][1]}/${m}`));
  const G = "Qwen2.5-1.5b (w/ SFT & GRPO)";
  const E = "Llama3.3-70b (expert)";
  t.deepEqual(bold1.sort(), [
    `cheese_sandwich/${E}/sr`, `cheese_sandwich/${E}/asat`, `cheese_sandwich/${G}/asst`,
    `burger/${G}/sr`, `burger/${G}/asat`, `burger/${G}/asst`,
    `cheese_burger/${E}/sr`, `cheese_burger/${G}/sr`, `cheese_burger/${G}/asat`, `cheese_burger/${G}/asst`,
    `double_cheese_burger/${G}/sr`, `double_cheese_burger/${G}/asat`, `double_cheese_burger/${E}/asst`, `double_cheese_burger/${G}/asst`,
  ].sort());
  const boldCross = (id: string) => mdRows(read(`${id}.md`)).flatMap((r, i) => TASKS.filter((_, j) => r[j + 1][1]).map((ev) => `${TASKS[i]}→${ev}`));
  t.deepEqual(boldCross("table2"), ["burger→cheese_sandwich", "burger→burger", "cheese_burger→cheese_sandwich", "cheese_burger→burger", "cheese_burger→cheese_burger", "double_cheese_burger→double_cheese_burger"]);
  t.deepEqual(boldCross("table3"), ["burger→burger", "cheese_burger→cheese_sandwich", "cheese_burger→cheese_burger", "double_cheese_burger→double_cheese_burger"]);
  // Table 4: the one ASST of the Double Cheese Burger column is best against three "—"
  t.deepEqual(boldCross("table4"), ["cheese_sandwich→cheese_sandwich", "burger→burger", "cheese_burger→cheese_burger", "double_cheese_burger→double_cheese_burger"]);
});

test("bestMask: ties all bold, — never bold and worse than a number, no bold when everything ties", (t) => {
  t.deepEqual(bestMask(["0.3", "0.30", "0.1"], "max"), [true, true, false]);
  t.deepEqual(bestMask(["—", "20", "—"], "min"), [false, true, false]);
  t.deepEqual(bestMask(["0.0", "0.0"], "max"), [false, false]);
  t.deepEqual(bestMask(["15.0", "", "15.0"], "min"), [false, false, false]);
  t.deepEqual(bestMask(["—", "—"], "min"), [false, false]);
});

test("audit: ASAT = SR·ASST + (1 − SR)·T holds in every published cell but one, Burger / Qwen2.5-14b", (t) => {
  const a = auditTables(paper);
  t.is(a.cells.length, 44);
  t.deepEqual(a.failing.map((c) => `${c.table}/${c.task}/${c.model}`), ["table1/burger/Qwen2.5-14b"]);
  const [bad] = a.failing;
  t.false(bad.definition_ok, "ASST 15.0 printed with SR 0.0: a mean over no successes");
  t.false(bad.reconstructible, "no 10 integer episodes print 0.0 / 15.0 / 15.0");
  t.true(bad.identity_ok, "numerically the identity holds only because ASST is multiplied by SR = 0");
  t.true(bad.alternatives.some((s) => s.startsWith("SR 0.1 instead: 1 success in 10 taking 15 steps")), bad.alternatives.join(" | "));
  for (const c of a.cells.filter((x) => x !== bad)) {
    t.true(c.identity_ok && c.reconstructible, `${c.task}/${c.model}/${c.trained_on}: residual ${c.residual}`);
  }
  t.true(a.consistency.length === 4 && a.consistency.every((c) => c.ok), "Table 1's SFT+GRPO rows equal the Tables 2–4 diagonal");
});

test("audit, reachability: every published ASST is at least the mean of the k shortest optimal plans of Robotouille's evaluation layouts", (t) => {
  const optima = evaluationOptima();
  // lib/expert's planner on lib/kitchen's bit-exact layouts for seeds 42, 84, …, 420
  t.deepEqual(optima.cheese_sandwich, [7, 8, 10, 11, 8, 14, 8, 8, 8, 5]);
  t.deepEqual(optima.burger, [8, 12, 14, 8, 8, 10, 8, 8, 8, 8]);
  const a = auditTables(paper, { optima });
  const checked = a.cells.filter((c) => c.reachable !== null);
  t.is(checked.length, 25, "every cell with a success");
  t.true(checked.every((c) => c.reachable));
  // SFT+GRPO on Cheese Sandwich: 3 successes averaging 6.7 = the three easiest layouts (5, 7, 8) solved optimally
  const tight = checked.filter((c) => Math.abs(Number(c.asst) - c.asst_floor!) < 0.05).map((c) => `${c.table}/${c.trained_on ?? ""}/${c.task}/${c.model}`);
  t.true(tight.includes("table1//cheese_sandwich/Qwen2.5-1.5b (w/ SFT & GRPO)"), tight.join(" | "));
  t.true(tight.includes("table1//burger/Qwen2.5-1.5b (w/ SFT & GRPO)"), "7 successes at 8.0: the seven 8-step layouts");
  const p = loadPaperResults();
  const i = p.table1.findIndex((r) => r.task === "cheese_sandwich" && r.model === "Qwen2.5-1.5b (w/ SFT & GRPO)");
  p.table1[i] = { ...p.table1[i], asst: 6.0, asat: 12.3 }; // 0.3·6 + 0.7·15 = 12.3: the identity holds, the floor does not
  const bad = auditTables(p, { optima }).failing.find((c) => c.task === "cheese_sandwich")!;
  t.true(bad.identity_ok);
  t.false(bad.reachable);
  t.regex(bad.problems.join(" "), /below 6\.67, the mean of the 3 shortest optimal plans/);
});

test("audit catches a cell whose ASAT does not fit its SR and ASST", (t) => {
  const p = loadPaperResults();
  p.table1[0] = { ...p.table1[0], asat: 13.9 }; // expert, cheese sandwich: 0.5·8.8 + 0.5·15 = 11.9
  const a = auditTables(p);
  t.deepEqual(a.failing.map((c) => `${c.task}/${c.model}`), ["cheese_sandwich/Llama3.3-70b (expert)", "burger/Qwen2.5-14b"]);
  t.false(a.failing[0].identity_ok);
  t.true(Math.abs(a.failing[0].predicted_asat! - 11.9) < 1e-9);
});

test("intervals: Wilson 3/10 ≈ [0.11, 0.60] (the paper's Table 1 intervals), Newcombe's method 10 on his worked example", (t) => {
  const [lo, hi] = wilsonInterval(3, 10);
  t.is(lo.toFixed(4), "0.1078");
  t.is(hi.toFixed(4), "0.6032");
  // Newcombe (1998), Stat Med 17:873, Table II example (f): 56/70 vs 48/80 → difference 0.2000, 95% [0.0524, 0.3339]
  const d = moverDifference(56 / 70, wilsonInterval(56, 70), 48 / 80, wilsonInterval(48, 80));
  t.is(d[0].toFixed(4), "0.0524");
  t.is(d[1].toFixed(4), "0.3339");
});

test("the paper compared with itself: every paired SR difference is 0 and within noise", (t) => {
  const asRun = { ...loadPaperResults(), kind: "run" as const };
  const rows = compareWithPaper(asRun, paper, Object.fromEntries(paper.models.map((m) => [m, m])));
  const s = summarizeComparison(rows);
  t.deepEqual(s, { paired: 44, withinNoise: 44, oursHigher: 0, oursLower: 0 });
});

test("CSV reader and writer: quotes, commas and newlines in fields survive a round trip", (t) => {
  const rows = [["model", "note"], ['Qwen "big", 14B', "a\nb"], ["plain", ""]];
  t.deepEqual(parseCsv(toCsv(rows)), rows);
  t.deepEqual(parseCsv("a,b\r\n1,2\r\n"), [["a", "b"], ["1", "2"]]);
});

test("the vendored data (data/paper, data/testdata) matches the SHA-256 sums its SOURCE.md records", (t) => {
  for (const dir of ["paper", "testdata"]) {
    const source = fs.readFileSync(path.join(DATA, "..", dir, "SOURCE.md"), "utf8");
    const sums = [...source.matchAll(/^([0-9a-f]{64}) {2}(\S+)$/gm)];
    t.true(sums.length >= 3, `data/${dir}/SOURCE.md lists its files' sums`);
    for (const [, sum, file] of sums) {
      const got = crypto.createHash("sha256").update(fs.readFileSync(path.join(DATA, "..", dir, file))).digest("hex");
      t.is(got, sum, `data/${dir}/${file}`);
    }
  }
});
