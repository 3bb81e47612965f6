/** `stgrpo theory recursion|success|simulate` (docs/design.md contract), run as a real child process. */
import test from "ava";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { sandwichMdpJson } from "../lib/mdp/examples";
import { parseMdp, toMdpJson } from "../lib/mdp/mdp";
import { successReportJson } from "../lib/mdp/success";
import { shortcutMdp } from "../lib/mdp/examples";
import { theory } from "../cli/commands/theory";
import { UserError } from "../lib/util/errors";

const BIN = path.join(__dirname, "..", "bin", "stgrpo");
/** Run the CLI as a child process (async, so the file's tests overlap). */
function stgrpo(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args]);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}
const SCI = /^[1-9]\.\d{9}e[+-]?\d+$/;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-theory-"));
const write = (name: string, content: unknown) => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, typeof content === "string" ? content : JSON.stringify(content));
  return f;
};

test("theory recursion --json: the contract's fields, 1 − p strings far below float64, p_n > p_ref", async (t) => {
  const r = await stgrpo(["theory", "recursion", "--beta", "0.001", "--pref", "0.2", "--eps", "1e-4", "--iters", "5", "--json"]);
  t.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  t.deepEqual(Object.keys(out), ["p", "one_minus_p", "logit", "fixed_point"]);
  t.is(out.p.length, 6);
  t.is(out.p[0], 0.2);
  t.true(out.p.slice(1).every((p: number) => p > 0.2));
  t.true(out.logit.every((l: number) => typeof l === "number" && Number.isFinite(l)));
  t.true(out.one_minus_p.every((s: string) => SCI.test(s)));
  t.is(out.one_minus_p[0], "8.000000000e-1");
  t.regex(out.one_minus_p[5], /e-43429$/);
  t.deepEqual(Object.keys(out.fixed_point), ["p", "one_minus_p", "slope"]);
  t.is(out.fixed_point.one_minus_p, out.one_minus_p[5]);
  t.true(out.fixed_point.slope >= 0 && out.fixed_point.slope < 1);
});

test("theory recursion: p_n → 1 without an interior fixed point, and the human form", async (t) => {
  const [one, text] = await Promise.all([stgrpo(["theory", "recursion", "--beta", "0.01", "--pref", "0.5", "--json", "--all"]), stgrpo(["theory", "recursion", "--beta", "1", "--pref", "0.2", "--all"])]);
  const out = JSON.parse(one.stdout);
  t.deepEqual(out.fixed_point, { p: 1, one_minus_p: "0", slope: 0 });
  t.deepEqual(out.fixed_points, []);
  t.true(out.p.length < 21); // stopped once the logit left the usable range
  t.is(text.status, 0);
  t.regex(text.stdout, /limit: p\* = 0\.6813/);
  t.regex(text.stdout, /fixed point: p\* = 0\.9346\d+ .* unstable/);
});

test("theory success --mdp: exact rationals for the sandwich and the shortcut counterexample", async (t) => {
  const [a, b] = await Promise.all([
    stgrpo(["theory", "success", "--mdp", write("sandwich.json", sandwichMdpJson()), "--json"]),
    stgrpo(["theory", "success", "--mdp", write("shortcut.json", toMdpJson(shortcutMdp())), "--json", "--subtasks"]),
  ]);
  t.is(a.status, 0, a.stderr);
  t.deepEqual(JSON.parse(a.stdout), { minimal_steps: 6, enumeration: "3/50", recursion: "3/50", product: "3/50", unique: true });
  t.is(b.status, 0, b.stderr);
  const out = JSON.parse(b.stdout);
  t.like(out, { minimal_steps: 2, enumeration: "19/36", recursion: "1/4", product: "1/4", unique: false });
  // Each prefix subtask is unique although the whole task is not: the subtask k* = 1 is "take a at
  // s1", which the shortcut through s2 does not do.
  t.deepEqual(out.subtasks.map((s: any) => [s.enumeration, s.unique]), [["1/2", true], ["1/4", true]]);
  // A start that is already a goal: zero steps, success 1.
  const trivial = parseMdp({ states: ["g"], actions: [], start: "g", goal: "g", transitions: {}, policy: {}, expert: {} });
  t.deepEqual(successReportJson(trivial), { minimal_steps: 0, enumeration: "1/1", recursion: "1/1", product: "1/1", unique: true });
});

test("theory: bad input is one line on stderr with a non-zero exit, never a stack (spawned)", async (t) => {
  const bad = write("bad.json", { ...sandwichMdpJson(), start: "attic" });
  const cases: [string[], RegExp][] = [
    [["theory"], /^stgrpo theory: expected a subcommand: recursion, success, simulate$/],
    [["theory", "success", "--mdp", bad], /bad\.json: start: "attic" is not one of the states/],
  ];
  const runs = await Promise.all(cases.map(([args]) => stgrpo(args)));
  cases.forEach(([args, message], i) => {
    const r = runs[i];
    t.is(r.status, 1, args.join(" "));
    t.regex(r.stderr.trim(), message, args.join(" "));
    t.is(r.stderr.trim().split("\n").length, 1, args.join(" "));
    t.is(r.stdout, "", args.join(" "));
  });
});

test("theory: every bad flag or file is a UserError naming it (in process)", async (t) => {
  const cases: [string[], RegExp][] = [
    [["prove"], /got "prove"/],
    [["recursion", "--pref", "0.5"], /--beta is required/],
    [["recursion", "--beta", "0", "--pref", "0.5"], /--beta must be positive, got "0"/],
    [["recursion", "--beta", "-1", "--pref", "0.5"], /--beta must be positive, got "-1"/],
    [["recursion", "--beta", "1", "--pref", "1"], /--pref must be in \(0, 1\), got "1"/],
    [["recursion", "--beta", "1", "--pref", "0.5", "--eps", "x"], /--eps must be a number/],
    [["recursion", "--beta", "1", "--pref", "0.5", "--eps", "-0.1"], /--eps must be ≥ 0, got "-0.1"/],
    [["recursion", "--beta", "1", "--pref", "0.5", "--iters", "2.5"], /--iters must be a non-negative integer/],
    [["recursion", "--beta", "1", "--pref", "0.5", "--bogus"], /bogus/],
    [["success"], /--mdp FILE is required/],
    [["success", "--mdp", path.join(tmp, "missing.json")], /cannot read .*missing\.json: no such file or directory \(ENOENT\)/],
    [["success", "--mdp", write("garbage.json", "{nope")], /garbage\.json is not valid JSON/],
    [["success", "--mdp", write("sum.json", { ...sandwichMdpJson(), policy: { ...sandwichMdpJson().policy, "empty table": { wait: "1/2" } } })], /sum\.json: policy\.empty table: probabilities sum to 1\/2, not 1/],
    [["simulate", "--beta", "1", "--pref", "0.2", "--group-size", "1"], /--group-size must be an integer ≥ 2, got "1"/],
    [["simulate", "--beta", "1", "--pref", "0.2", "--kl", "forward"], /--kl must be exact or k3/],
  ];
  for (const [args, message] of cases) {
    const e = await t.throwsAsync(theory.run(args), { instanceOf: UserError }, args.join(" "));
    t.regex(e!.message, message, args.join(" "));
  }
});

test("theory simulate --json: finite-G summary against the population fixed point", async (t) => {
  const r = await stgrpo(["theory", "simulate", "--beta", "1", "--pref", "0.2", "--group-size", "2,8", "--seeds", "1", "--steps", "600", "--json"]);
  t.is(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  t.is(out.summary.length, 2);
  t.true(out.summary.every((s: any) => s.predicted < out.population && Math.abs(s.simulatedMean - s.predicted) < 0.05));
});
