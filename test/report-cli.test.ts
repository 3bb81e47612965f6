/**
 * `stgrpo tables --results DIR --out DIR` (docs/design.md contract), spawned as a real child process: the
 * contract CSVs in the paper's shape, the other outputs, and one-line errors for bad input.
 */
import test from "ava";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const BIN = path.join(__dirname, "..", "bin", "stgrpo");
const FIXTURE = path.join(__dirname, "fixtures", "report", "study");
const stgrpo = (args: string[]) => spawnSync(process.execPath, [BIN, "tables", ...args], { encoding: "utf8" });
const tmp = (name: string) => fs.mkdtempSync(path.join(os.tmpdir(), `report-cli-${name}-`));

/** A failed run: non-zero exit, exactly one line on stderr naming the problem, no stack trace. */
function failsWith(t: any, args: string[], pattern: RegExp) {
  const r = stgrpo(args);
  t.not(r.status, 0, r.stdout);
  const lines = r.stderr.trimEnd().split("\n");
  t.is(lines.length, 1, r.stderr);
  t.regex(lines[0], /^stgrpo tables: /);
  t.regex(lines[0], pattern);
  t.notRegex(r.stderr, /\n\s+at /);
}

test("the contract: table1.csv and cross_task.csv in the paper's shape, hand-checked; the other outputs beside them", (t) => {
  const out = tmp("ok");
  const r = stgrpo(["--results", FIXTURE, "--out", out, "--json"]);
  t.is(r.status, 0, r.stderr);
  t.is(
    fs.readFileSync(path.join(out, "table1.csv"), "utf8"),
    [
      "task,model,sr,asat,asst",
      "cheese_sandwich,expert,0.75,10.5,9.0",
      "cheese_sandwich,random,0.0,15.0,",
      "cheese_sandwich,sft+grpo,0.75,9.75,8.0",
      "burger,expert,0.5,13.0,11.0",
      "burger,random,0.0,15.0,",
      "burger,sft,0.583333,11.833333,9.666667",
      "burger,sft+grpo,0.5,12.5,10.0",
      "",
    ].join("\n"),
  );
  t.is(
    fs.readFileSync(path.join(out, "cross_task.csv"), "utf8"),
    [
      "trained_on,evaluated_on,sr,asat,asst",
      "cheese_sandwich,cheese_sandwich,0.75,9.75,8.0",
      "cheese_sandwich,burger,0.25,14.75,14.0",
      "burger,cheese_sandwich,0.0,15.0,",
      "burger,burger,0.5,12.5,10.0",
      "",
    ].join("\n"),
  );
  t.is(fs.readFileSync(path.join(out, "cross_task.sft.csv"), "utf8"), "trained_on,evaluated_on,sr,asat,asst\nburger,burger,0.583333,11.833333,9.666667\n");
  const json = JSON.parse(r.stdout);
  t.is(json.episodes, 44);
  t.deepEqual(json.tasks, ["cheese_sandwich", "burger"]);
  t.deepEqual(json.models, ["expert", "random", "sft", "sft+grpo"]);
  for (const f of ["table1.md", "table1.tex", "table1.html", "table2.md", "table3.tex", "table4.html", "comparison.csv", "compare_table1.md", "audit.md", "runs.csv", "cells.csv", "tables.md", "index.html", "sr.svg", "sr.png", "asst.svg", "cross_task_sr.png", "sr_vs_paper.svg", "learning_curves.png"]) {
    t.true(json.files.includes(f) && fs.statSync(path.join(out, f)).size > 0, f);
  }
  t.true(fs.readFileSync(path.join(out, "table1.md"), "utf8").includes(`Our run (test/fixtures/report/study)`), "tables say where their numbers come from");
  t.regex(r.stderr, /skipped 1 file\(s\), episode traces: eval\/traces\.jsonl/);
  t.regex(r.stderr, /skipped 1 file\(s\), single-turn dataset: expert\/burger\/train\.jsonl/);
  t.regex(r.stderr, /dropped 1 duplicate episode\(s\) of eval\/zz-copy\.jsonl already in eval\/baselines\.jsonl/);
});

test("every table carries the profile that produced it: results/cpu is the CPU-scale study, never the paper's", (t) => {
  const root = tmp("profile");
  const res = path.join(root, "results", "cpu", "eval");
  fs.mkdirSync(res, { recursive: true });
  fs.copyFileSync(path.join(FIXTURE, "eval", "baselines.jsonl"), path.join(res, "baselines.jsonl"));
  const out = path.join(root, "out");
  const r = stgrpo(["--results", path.join(root, "results", "cpu"), "--out", out, "--no-figures"]);
  t.is(r.status, 0, r.stderr);
  for (const f of ["table1.md", "table1.tex", "table1.html", "compare_table1.md", "tables.md"]) {
    t.true(fs.readFileSync(path.join(out, f), "utf8").includes("CPU-scale study (profile cpu)"), f);
  }
  t.false(fs.existsSync(path.join(out, "cross_task.csv")), "no model with a trained_on: no Tables 2–4");
  t.regex(r.stdout, /no model with a trained_on, so no Tables 2–4/);
});

test("bad input: a missing results directory, or one with no episodes", (t) => {
  failsWith(t, ["--results", "/nonexistent/results", "--out", tmp("x")], /results directory \/nonexistent\/results does not exist/);
  const empty = tmp("empty");
  fs.mkdirSync(path.join(empty, "learn"), { recursive: true });
  fs.copyFileSync(path.join(FIXTURE, "learn", "burger", "sft-s0", "metrics.jsonl"), path.join(empty, "learn", "metrics.jsonl"));
  failsWith(t, ["--results", empty, "--out", tmp("x")], /no episodes found under .*empty/);
});

test("bad input: a malformed line or record is named by file and line", (t) => {
  const dir = tmp("bad");
  const good = fs.readFileSync(path.join(FIXTURE, "eval", "baselines.jsonl"), "utf8").split("\n");
  fs.writeFileSync(path.join(dir, "a.jsonl"), [good[0], "{not json", good[1], ""].join("\n"));
  failsWith(t, ["--results", dir, "--out", tmp("x")], /a\.jsonl:2 is not valid JSON/);
  fs.writeFileSync(path.join(dir, "a.jsonl"), [good[0], good[1].replace('"success":true', '"success":"yes"'), ""].join("\n"));
  failsWith(t, ["--results", dir, "--out", tmp("x")], /a\.jsonl:2: "success" must be true or false/);
  fs.writeFileSync(path.join(dir, "a.jsonl"), [good[0], good[1].replace(/"task":"[^"]*",/, ""), ""].join("\n"));
  failsWith(t, ["--results", dir, "--out", tmp("x")], /a\.jsonl:2 lacks "task"/);
});

test("bad flags: missing --results or --out, an unknown profile, a cross model with no trained_on", (t) => {
  failsWith(t, ["--out", tmp("x")], /--results DIR is required/);
  failsWith(t, ["--results", FIXTURE], /--out DIR is required/);
  failsWith(t, ["--results", FIXTURE, "--out", tmp("x"), "--profile", "gpu"], /--profile must be one of ci, cpu, paper/);
  failsWith(t, ["--results", FIXTURE, "--out", tmp("x"), "--cross-model", "expert"], /--cross-model expert has no episodes with a trained_on/);
  failsWith(t, ["--results", FIXTURE, "--out", tmp("x"), "--match", "nonsense"], /--match expects OURS=PAPER/);
  failsWith(t, ["--results", FIXTURE, "--out", tmp("x"), "--protocol", "extended"], /no episodes of protocol "extended" under/);
});

test("--exclude leaves another study's tree under --results out of the tables (notebook 07 and the CookingWorld tree)", (t) => {
  // The fixture's episodes, plus a copy of them under a sub-tree that would change every count.
  const results = tmp("exclude");
  fs.cpSync(FIXTURE, results, { recursive: true });
  fs.cpSync(FIXTURE, path.join(results, "cookingworld"), { recursive: true });
  const table = (extra: string[]) => {
    const out = tmp("exclude-out");
    const r = stgrpo(["--results", results, "--out", out, "--no-figures", "--json", ...extra]);
    t.is(r.status, 0, r.stderr);
    return JSON.parse(r.stdout).episodes as number;
  };
  const alone = (() => {
    const out = tmp("alone");
    return JSON.parse(stgrpo(["--results", FIXTURE, "--out", out, "--no-figures", "--json"]).stdout).episodes as number;
  })();
  t.is(table(["--exclude", "cookingworld"]), alone);
  // Without it, the copy's episodes are read too (here identical copies, so counted once and named).
  const all = stgrpo(["--results", results, "--out", tmp("all"), "--no-figures"]);
  t.is(all.status, 0, all.stderr);
  t.regex(all.stderr, /duplicate/i);
});
