/**
 * `stgrpo eval` as a user meets it: the contract's --json output, the Markdown table and --summary,
 * --help documenting every flag, and bad input (unknown task, bad seeds, an unreachable server, an
 * unknown model, a malformed or foreign existing JSONL, flags of another policy) → one-line errors.
 */
import test from "ava";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EVAL_FLAGS, evalCommand } from "../cli/commands/eval";
import { UserError } from "../lib/util/errors";
import { startOpenAIServer } from "./helpers/openaiServer";

const BIN = path.resolve(__dirname, "..", "bin", "stgrpo");

function stgrpo(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "eval", ...args], { env: { ...process.env, HF_TOKEN: "" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const tmp = (name: string) => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-evalcli-")), name);

/**
 * In-process (the CLI's error path is checked by the spawned cases): `stgrpo eval ARGS` throws a
 * one-line UserError matching `re` (main() prints it as `stgrpo eval: <message>` and exits 1).
 */
async function rejects(t: any, args: string[], re: RegExp): Promise<void> {
  const e = await t.throwsAsync(evalCommand.run([...args, "--quiet"]), { instanceOf: UserError }, args.join(" "));
  if (!e) return;
  t.false(e.message.includes("\n"), e.message);
  t.regex(e.message, re);
}

/** Exit 1 and exactly one stderr line `stgrpo eval: …` matching `re`. */
async function fails(t: any, args: string[], re: RegExp): Promise<void> {
  const r = await stgrpo(args);
  t.is(r.status, 1, r.stderr);
  const lines = r.stderr.trimEnd().split("\n");
  t.is(lines.length, 1, r.stderr);
  t.regex(lines[0], /^stgrpo eval: /);
  t.regex(lines[0], re);
}

test("--json prints the contract's per-task metrics; the file holds the contract's episode fields", async (t) => {
  const out = tmp("random.jsonl");
  const summary = tmp("summary.json");
  const r = await stgrpo(["--policy", "random", "--tasks", "burger,cheese_sandwich", "--seeds", "42,84,126", "--out", out, "--json", "--quiet", "--summary", summary]);
  t.is(r.status, 0, r.stderr);
  t.is(r.stderr, "");
  const m = JSON.parse(r.stdout);
  t.deepEqual(Object.keys(m), ["burger", "cheese_sandwich"]);
  for (const task of ["burger", "cheese_sandwich"]) {
    t.deepEqual(Object.keys(m[task]), ["n", "sr", "asat", "asst", "sr_ci"]);
    t.like(m[task], { n: 3, sr: 0, asat: 15, asst: null });
  }
  const eps = fs.readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  t.is(eps.length, 6);
  for (const f of ["run", "model", "trained_on", "task", "seed", "success", "steps", "timeout", "actions", "invalid_replies", "wall_ms"]) t.true(f in eps[0], f);
  t.like(eps[0], { run: "custom", model: "random", trained_on: null, task: "burger", seed: 42, protocol: "custom", steps: 15, timeout: 15 });
  const s = JSON.parse(fs.readFileSync(summary, "utf8"));
  t.like(s, { model: "random", run: "custom", ran: 6, resumed: 0, config: { policy: "random", seed: 0 } });
  t.deepEqual(s.metrics.burger.asat_ci, [15, 15]);
});

test("without --json: a Markdown table with intervals, and how many episodes ran or resumed", async (t) => {
  const out = tmp("random.jsonl");
  await stgrpo(["--policy", "random", "--tasks", "burger", "--seeds", "default,42", "--out", out, "--quiet"]);
  const r = await stgrpo(["--policy", "random", "--tasks", "burger", "--seeds", "default,42,84", "--out", out, "--quiet", "--name", "uniform", "--trained-on", "3_burger"]);
  t.is(r.status, 0, r.stderr);
  t.true(r.stdout.includes("| model | task | n | SR [95% Wilson] | ASAT [95% bootstrap] | ASST [95% bootstrap] |"));
  t.true(r.stdout.includes("| uniform | burger | 3 | 0.00 [0.00, 0.56] | 15.0 [15.0, 15.0] | — |"), r.stdout);
  t.true(r.stdout.includes(`${out}: 3 episode(s) run, 0 resumed`), "another model name is another episode key");
  const last = JSON.parse(fs.readFileSync(out, "utf8").trim().split("\n").pop()!);
  t.like(last, { model: "uniform", trained_on: "burger", seed: 84 });
});

test("--help documents every flag", (t) => {
  for (const flag of Object.keys(EVAL_FLAGS)) t.true(evalCommand.usage.includes(`--${flag}`), `--${flag} is not in --help`);
});

test("bad tasks and seeds: one-line errors", async (t) => {
  await Promise.all([
    fails(t, ["--policy", "random", "--tasks", "pizza", "--out", tmp("x.jsonl")], /unknown task "pizza" \(known: cheese_sandwich, burger/),
    rejects(t, ["--policy", "random", "--tasks", "burger,3_burger", "--out", tmp("x.jsonl")], /task burger is given twice/),
    rejects(t, ["--policy", "random", "--seeds", "42,x", "--out", tmp("x.jsonl")], /seed "x" is not a non-negative integer/),
    rejects(t, ["--policy", "random", "--seeds", "42,-1", "--out", tmp("x.jsonl")], /seed "-1" is not a non-negative integer/),
    rejects(t, ["--policy", "random", "--seeds", "42,42", "--out", tmp("x.jsonl")], /seed 42 is given twice/),
    rejects(t, ["--policy", "random", "--seeds", "9-3", "--out", tmp("x.jsonl")], /seed range "9-3" is empty/),
    rejects(t, ["--policy", "random", "--seeds-per-task", "5", "--out", tmp("x.jsonl")], /--seeds-per-task needs --protocol extended/),
    rejects(t, ["--policy", "random", "--protocol", "long", "--out", tmp("x.jsonl")], /--protocol must be paper or extended/),
  ]);
});

test("bad policy flags: one-line errors", async (t) => {
  await Promise.all([
    rejects(t, ["--policy", "random"], /--out FILE.jsonl is required/),
    rejects(t, ["--out", tmp("x.jsonl")], /--policy is required/),
    rejects(t, ["--policy", "oracle", "--out", tmp("x.jsonl")], /--policy must be one of expert, random, endpoint, learned, got "oracle"/),
    rejects(t, ["--policy", "random", "--history", "2", "--out", tmp("x.jsonl")], /--history is for --policy endpoint/),
    rejects(t, ["--policy", "random", "--checkpoint", "x", "--out", tmp("x.jsonl")], /--checkpoint is for --policy learned/),
    rejects(t, ["--policy", "endpoint", "--out", tmp("x.jsonl")], /--policy endpoint needs --endpoint URL/),
    rejects(t, ["--policy", "learned", "--out", tmp("x.jsonl")], /--policy learned needs --checkpoint DIR/),
    rejects(t, ["--policy", "learned", "--checkpoint", "/nonexistent/run", "--out", tmp("x.jsonl")], /policy \/nonexistent\/run\/?(policy\.json)? does not exist/),
    rejects(t, ["--policy", "random", "--concurrency", "0", "--out", tmp("x.jsonl")], /--concurrency must be a positive integer/),
    fails(t, ["--policy", "random", "--bogus", "--out", tmp("x.jsonl")], /unknown option --bogus$/),
  ]);
});

test("an unreachable server and an unknown model: one-line errors before any episode", async (t) => {
  // A port that was just free: nothing listens there.
  const gone = await startOpenAIServer({ script: [{ reply: "x" }] });
  const url = gone.url;
  await gone.close();
  const out = tmp("x.jsonl");
  await fails(t, ["--policy", "endpoint", "--endpoint", url, "--model", "m", "--retries", "1", "--backoff-ms", "5", "--out", out], /^stgrpo eval: cannot reach http:\/\/127\.0\.0\.1:\d+\/v1\/models: ECONNREFUSED.* \(2 tries\)$/);
  t.false(fs.existsSync(out));

  const server = await startOpenAIServer({ script: [{ reply: "x" }], models: ["served-model"] });
  t.teardown(() => server.close());
  await rejects(t, ["--policy", "endpoint", "--endpoint", server.url, "--model", "nope", "--out", out], /model "nope" is not served at .* \(served: served-model\)/);
  t.is(server.requests.length, 0);
});

test("a malformed or foreign existing JSONL: one-line errors naming the file and line", async (t) => {
  const record = { run: "paper", model: "random", trained_on: null, task: "burger", seed: 42, success: false, steps: 15, timeout: 15, actions: [], invalid_replies: 0, wall_ms: 1 };
  const broken = tmp("broken.jsonl");
  fs.writeFileSync(broken, `${JSON.stringify(record)}\nnot json\n${JSON.stringify({ ...record, seed: 84 })}\n`);
  const foreign = tmp("trajectories.jsonl");
  fs.writeFileSync(foreign, `${JSON.stringify({ task: "burger", seed: 1, steps: [], length: 0, optimal: true })}\n`);
  const wrongType = tmp("typed.jsonl");
  fs.writeFileSync(wrongType, `${JSON.stringify({ ...record, success: "yes" })}\n`);
  const otherTimeout = tmp("timeout.jsonl");
  fs.writeFileSync(otherTimeout, `${JSON.stringify({ ...record, timeout: 20, steps: 20 })}\n`);
  await Promise.all([
    rejects(t, ["--policy", "random", "--out", broken], /broken\.jsonl:2 is not valid JSON/),
    rejects(t, ["--policy", "random", "--out", foreign], /trajectories\.jsonl: record 1 lacks "run" \(not an episode JSONL\?\)/),
    rejects(t, ["--policy", "random", "--out", wrongType], /typed\.jsonl: record 1: "success" must be true or false, got "yes"/),
    rejects(t, ["--policy", "random", "--out", otherTimeout], /already has 1 episode\(s\) of random \(run paper\) that this run would resume with other settings \(file → now: timeout 20 → 15\)/),
  ]);
  t.is(fs.readFileSync(broken, "utf8").split("\n").length, 4, "the file is left as it was");
});
