/**
 * Bad input for every `stgrpo` command, as a user types it (a spawned process, real pipes): each row is
 * argv (and stdin) → the exit code and the first words of the one-line error. Every row also checks:
 * exactly one line on stderr, `stgrpo <command>: …`, no stack frame, nothing on stdout, and that it
 * finished (a hang is killed after a generous timeout and fails the row).
 *
 * The number rows pin the one number parser (cli/flags.ts, lib/util/numbers.ts): integers are decimal
 * digits only (`1e3` and `0x10` refused everywhere), a negative number says the range ("must be a
 * positive integer", "must be ≥ 0") rather than Node's "argument is ambiguous", and seeds read alike.
 * The path rows pin lib/util/paths.ts: /proc, /sys and /dev targets, a file where a directory is
 * expected (ENOTDIR), a directory where a file is expected (EISDIR), a non-writable target (EPERM).
 */
import test from "ava";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runStgrpo, STACK_FRAME } from "./helpers/cli";
import { Semaphore } from "../lib/agent/endpoint";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-robust-"));
const file = path.join(tmp, "a-file.txt");
fs.writeFileSync(file, "not a directory\n");
const dir = path.join(tmp, "a-dir");
fs.mkdirSync(dir);
const out = (name: string) => path.join(tmp, "out", name);
const FIXTURE = "test/fixtures/report/study";

/**
 * A directory nobody may write into: `chattr +i` as root (permission bits do not stop root), else
 * mode 0555. Null when this machine offers neither (root on a file system without the immutable flag).
 */
function lockedDir(): string | null {
  const d = path.join(tmp, "locked");
  fs.mkdirSync(d);
  try {
    if (process.getuid?.() === 0) execFileSync("chattr", ["+i", d], { stdio: "ignore" });
    else fs.chmodSync(d, 0o555);
  } catch {
    return null; // no chattr, or a file system without the immutable flag: nothing is locked
  }
  try {
    fs.writeFileSync(path.join(d, "probe"), "");
  } catch {
    return d; // the write failed: locked
  }
  return null;
}
const locked = lockedDir();
test.after.always(() => {
  if (locked && process.getuid?.() === 0) execFileSync("chattr", ["-i", locked], { stdio: "ignore" });
});

// Two result files that disagree on one episode: the tables must not pick one by file name.
const conflict = path.join(tmp, "conflict");
fs.mkdirSync(conflict);
const episode = { run: "paper", model: "m", trained_on: null, task: "burger", seed: 42, success: true, steps: 9, timeout: 15, actions: [], invalid_replies: 0, wall_ms: 1, protocol: "paper" };
fs.writeFileSync(path.join(conflict, "a.jsonl"), JSON.stringify(episode) + "\n");
fs.writeFileSync(path.join(conflict, "b.jsonl"), JSON.stringify({ ...episode, success: false, steps: 15 }) + "\n");

interface Row {
  argv: string[];
  stdin?: string;
  code: number;
  /** The first words of the message after `stgrpo <command>: `. */
  error: RegExp;
  /** stdout may hold the lines before the error (replay). */
  stdoutOk?: boolean;
}

/** The issue's three number mistakes for one flag (test/cli-flags.test.ts has the parser's whole table). */
const NUMBERS = (cmd: string[], flag: string, words: string): Row[] =>
  ["-1", "1e3", "0x10"].map((v) => ({ argv: [...cmd, flag, v], code: 1, error: new RegExp(`^${flag} must be ${words}, got "${v}"`) }));

export const ROWS: Record<string, Row[]> = {
  stgrpo: [
    { argv: ["fly"], code: 1, error: /^unknown command "fly"/ },
  ],
  layout: [
    { argv: [], code: 1, error: /^expected exactly one task id/ },
    { argv: ["burger", "cheese_burger"], code: 1, error: /^expected exactly one task id/ },
    { argv: ["pizza"], code: 1, error: /^unknown task "pizza"/ },
    ...NUMBERS(["burger"], "--seed", "a non-negative integer"),
    { argv: ["burger", "--seed"], code: 1, error: /^--seed needs a value/ },
    { argv: ["burger", "--seed", "--pretty"], code: 1, error: /^--seed needs a value/ },
    { argv: ["burger", "--seed", "1", "--seed", "2"], code: 1, error: /^--seed is given twice/ },
    { argv: ["burger", "--noisy"], code: 1, error: /^--noisy needs --seed N/ },
    { argv: ["burger", "--pretty=yes"], code: 1, error: /^--pretty takes no value/ },
    { argv: ["burger", "--sed", "3"], code: 1, error: /^unknown option --sed \(did you mean --seed\?\)/ },
    { argv: ["burger", "-x"], code: 1, error: /^unknown option -x/ },
  ],
  observe: [
    { argv: ["nope"], code: 1, error: /^unknown task "nope"/ },
    { argv: ["burger", "--seed", "-3"], code: 1, error: /^--seed must be a non-negative integer, got "-3"/ },
  ],
  replay: [
    { argv: ["burger"], stdin: "Fly to the moon\n", code: 2, error: /^invalid action "Fly to the moon"/, stdoutOk: true },
    { argv: ["burger", "--seed", "0x10"], code: 1, error: /^--seed must be a non-negative integer, got "0x10"/ },
    { argv: ["burger", "--json"], code: 1, error: /^unknown option --json/ },
  ],
  plan: [
    ...NUMBERS(["burger"], "--max-expanded", "a positive integer"),
    { argv: ["burger", "--max-expanded", "0"], code: 1, error: /^--max-expanded must be a positive integer, got "0"/ },
    { argv: ["burger", "--seed", "-1", "--json"], code: 1, error: /^--seed must be a non-negative integer/ },
  ],
  reward: [
    { argv: [], code: 1, error: /^--expert ACTION is required/ },
    { argv: ["--expert", " "], code: 1, error: /^--expert must be a non-empty action/ },
    { argv: ["--expert", "a", "--valid", "b"], code: 1, error: /^the expert action "a" is not among the 1 valid actions given/ },
    { argv: ["--expert", "a", "--valid-actions", path.join(tmp, "missing.txt")], code: 1, error: /^--valid-actions .*missing\.txt does not exist/ },
    { argv: ["--expert", "a", "--valid-actions", "/dev/zero"], code: 1, error: /^--valid-actions \/dev\/zero is not a regular file/ },
    { argv: ["--expert", "a", "--valid-actions", dir], code: 1, error: /^--valid-actions .* is a directory/ },
    { argv: ["--expert", "a", "extra"], code: 1, error: /^unexpected argument "extra"/ },
  ],
  train: [
    { argv: [], code: 1, error: /^--algo must be sft, grpo, multiturn, gigpo or onpolicy/ },
    { argv: ["--algo", "ppo"], code: 1, error: /^--algo must be one of sft, grpo, multiturn, gigpo, onpolicy, got "ppo"/ },
    { argv: ["--algo", "sft"], code: 1, error: /^--out DIR is required/ },
    ...NUMBERS(["--algo", "sft", "--out", out("t")], "--epochs", "a positive integer"),
    { argv: ["--algo", "grpo", "--out", out("t"), "--group-size", "1"], code: 1, error: /^--group-size must be an integer ≥ 2, got "1"/ },
    { argv: ["--algo", "grpo", "--out", out("t"), "--beta", "-0.1"], code: 1, error: /^--beta must be ≥ 0, got "-0\.1"/ },
    { argv: ["--algo", "sft", "--out", out("t"), "--lr", "0"], code: 1, error: /^--lr must be positive, got "0"/ },
    { argv: ["--algo", "sft", "--out", out("t"), "--bits", "40"], code: 1, error: /^--bits must be an integer from 1 to 26, got "40"/ },
    { argv: ["--algo", "sft", "--out", out("t"), "--data", "/dev/zero"], code: 1, error: /^JSONL file \/dev\/zero is not a regular file/ },
    { argv: ["--algo", "sft", "--out", "/proc/stgrpo-x"], code: 1, error: /^--out \/proc\/stgrpo-x is under \/proc, a pseudo file system/ },
    { argv: ["--algo", "sft", "--out", file], code: 1, error: /^--out .*a-file\.txt: .*a-file\.txt is a file, not a directory/ },
  ],
  tables: [
    { argv: [], code: 1, error: /^--results DIR is required/ },
    { argv: ["--results", FIXTURE], code: 1, error: /^--out DIR is required/ },
    { argv: ["--results", path.join(tmp, "none"), "--out", out("tables")], code: 1, error: /^results directory .*none does not exist/ },
    { argv: ["--results", FIXTURE, "--out", out("tables"), "--profile", "gpu"], code: 1, error: /^--profile must be one of ci, cpu, paper, got "gpu"/ },
    { argv: ["--results", conflict, "--out", out("tables")], code: 1, error: /^conflicting episodes: m on burger seed 42 \(run paper, protocol paper\) is a success in 9 step\(s\) \(timeout 15\) in a\.jsonl:1 and a failure in 15 step\(s\) \(timeout 15\) in b\.jsonl:1/ },
    { argv: ["--results", FIXTURE, "--out", "/proc/stgrpo-t"], code: 1, error: /^--out \/proc\/stgrpo-t is under \/proc/ },
    { argv: ["--results", FIXTURE, "--out", "/sys/stgrpo-t"], code: 1, error: /^--out \/sys\/stgrpo-t is under \/sys/ },
    { argv: ["--results", FIXTURE, "--out", file], code: 1, error: /^--out .*a-file\.txt is a file, not a directory/ },
    { argv: ["--results", FIXTURE, "--out", path.join(file, "sub")], code: 1, error: /^--out .*: .*a-file\.txt is a file, not a directory/ },
  ],
  eval: [
    ...NUMBERS(["--policy", "random", "--out", out("e.jsonl")], "--concurrency", "a positive integer"),
    ...NUMBERS(["--policy", "random", "--out", out("e.jsonl")], "--timeout", "a positive integer"),
    ...NUMBERS(["--policy", "random", "--out", out("e.jsonl")], "--sampling-seed", "a non-negative integer"),
    { argv: ["--policy", "random", "--out", out("e.jsonl"), "--seeds", "1e3"], code: 1, error: /^seed "1e3" is not a non-negative integer/ },
    { argv: ["--policy", "random", "--out", out("e.jsonl"), "--seeds", "100000000000000000000"], code: 1, error: /^seed 100000000000000000000 is beyond 2\^53 − 1/ },
    { argv: ["--policy", "endpoint", "--endpoint", "http://127.0.0.1:9", "--out", out("e.jsonl"), "--temperature", "-1"], code: 1, error: /^--temperature must be ≥ 0, got "-1"/ },
    { argv: ["--policy", "endpoint", "--endpoint", "http://127.0.0.1:9", "--out", out("e.jsonl"), "--top-p", "0"], code: 1, error: /^--top-p must be in \(0, 1\], got "0"/ },
    { argv: ["--policy", "endpoint", "--endpoint", "http://127.0.0.1:9", "--out", out("e.jsonl"), "--request-timeout", "-5"], code: 1, error: /^--request-timeout must be positive, got "-5"/ },
    { argv: ["--policy", "endpoint", "--endpoint", "ftp://x", "--out", out("e.jsonl")], code: 1, error: /^endpoint must be an http\(s\) URL/ },
    { argv: ["--policy", "random", "--out", out("e.jsonl"), "--history", "2"], code: 1, error: /^--history is for --policy endpoint/ },
    { argv: ["--policy", "random", "--out", "/dev/full"], code: 1, error: /^--out \/dev\/full is under \/dev, a pseudo file system/ },
    { argv: ["--policy", "random", "--out", "/proc/x/e.jsonl"], code: 1, error: /^--out \/proc\/x\/e\.jsonl is under \/proc/ },
    { argv: ["--policy", "random", "--out", dir], code: 1, error: /^--out .*a-dir is a directory; give a file name/ },
    { argv: ["--policy", "random", "--out", path.join(file, "e.jsonl")], code: 1, error: /^--out .*: .*a-file\.txt is a file, not a directory/ },
    { argv: ["--policy", "random", "--out", out("e.jsonl"), "--traces", "/dev/null"], code: 1, error: /^--traces \/dev\/null is under \/dev/ },
    { argv: ["--policy", "random", "--out", out("e.jsonl"), "--summary", dir], code: 1, error: /^--summary .*a-dir is a directory/ },
    { argv: ["--policy", "random", "--out", out("e.jsonl"), "--expert-trajectories", "/dev/zero"], code: 1, error: /^--expert-trajectories \/dev\/zero is not a regular file/ },
  ],
  expert: [
    ...NUMBERS([], "--n", "a positive integer"),
    ...NUMBERS([], "--first-seed", "a non-negative integer"),
    { argv: ["--first-seed", "100000000000000000000"], code: 1, error: /^--first-seed must be at most 2\^53 − 1/ },
    { argv: ["--val", "1"], code: 1, error: /^--val must be in \[0, 1\), got "1"/ },
    { argv: ["--seeds", "5", "--n", "3"], code: 1, error: /^--seeds replaces --n and --first-seed/ },
    { argv: ["--retries", "2"], code: 1, error: /^--retries is for --expert llm/ },
    { argv: ["--expert", "llm"], code: 1, error: /^--expert llm needs --endpoint URL/ },
    { argv: ["--expert", "oracle"], code: 1, error: /^--expert must be planner or llm, got "oracle"/ },
    { argv: ["--tasks", "burger", "--n", "2", "--out", "/proc/x"], code: 1, error: /^--out \/proc\/x is under \/proc/ },
    { argv: ["--tasks", "burger", "--n", "2", "--out", file], code: 1, error: /^--out .*a-file\.txt is a file, not a directory/ },
    { argv: ["--tasks", "burger", "--n", "2", "--out", path.join(file, "x")], code: 1, error: /^--out .*a-file\.txt is a file, not a directory/ },
  ],
  theory: [
    { argv: [], code: 1, error: /^expected a subcommand: recursion, success, simulate/ },
    { argv: ["recursion", "--beta", "-1", "--pref", "0.5"], code: 1, error: /^--beta must be positive, got "-1"/ },
    { argv: ["recursion", "--beta", "1", "--pref", "-0.5"], code: 1, error: /^--pref must be in \(0, 1\), got "-0\.5"/ },
    ...NUMBERS(["recursion", "--beta", "1", "--pref", "0.5"], "--iters", "a non-negative integer"),
    { argv: ["success", "--mdp", "/dev/zero"], code: 1, error: /^file \/dev\/zero is not a regular file/ },
    { argv: ["simulate", "--beta", "1", "--pref", "0.2", "--seeds", "0"], code: 1, error: /^--seeds must be a positive integer, got "0"/ },
    { argv: ["simulate", "--beta", "1", "--pref", "0.2", "--group-size", "2,-4"], code: 1, error: /^--group-size must be an integer ≥ 2, got "-4"/ },
  ],
  study: [
    ...NUMBERS(["--config"], "--workers", "a positive integer"),
    { argv: ["--max-jobs", "1e3"], code: 1, error: /^--max-jobs must be a positive integer, got "1e3"/ },
    { argv: ["--profile", "gpu"], code: 1, error: /^--profile must be one of ci, cpu, paper, got "gpu"/ },
    { argv: ["--seeds", "0,-1", "--config"], code: 1, error: /^--seeds must be a non-negative integer, got "-1"/ },
    { argv: ["--root", "/proc/x", "--config"], code: 1, error: /^--root \/proc\/x is under \/proc/ },
    { argv: ["--root", file, "--config"], code: 1, error: /^--root .*a-file\.txt is a file, not a directory/ },
  ],
  trainer: [
    { argv: [], code: 1, error: /^trainer needs a command/ },
    { argv: ["fly"], code: 1, error: /^unknown trainer command "fly"/ },
    { argv: ["serve"], code: 1, error: /^serve needs --model/ },
    { argv: ["serve", "--model", "x", "--port", "99999"], code: 1, error: /^--port must be an integer from 0 to 65535, got "99999"/ },
    { argv: ["serve", "--model", "x", "--port", "-1"], code: 1, error: /^--port must be an integer from 0 to 65535, got "-1"/ },
    { argv: ["serve", "--model", "x", "--backend", "tgi"], code: 1, error: /^--backend must be one of auto, transformers, vllm, got "tgi"/ },
    { argv: ["sft"], code: 1, error: /^trainer sft needs --task T/ },
    { argv: ["plan", "--task", "burger", "--set", "novalue"], code: 1, error: /^--set needs KEY=VALUE, got "novalue"/ },
  ],
};

// Not more than a few processes at once on a small machine (each loads tsx and the CLI).
const slots = new Semaphore(Math.max(2, Math.min(6, os.cpus().length * 2)));

for (const [command, rows] of Object.entries(ROWS)) {
  for (const row of rows) {
    const argv = command === "stgrpo" ? row.argv : [command, ...row.argv];
    test(`${argv.join(" ")}${row.stdin ? ` < ${JSON.stringify(row.stdin)}` : ""} → exit ${row.code}`, async (t) => {
      const release = await slots.acquire();
      const r = await runStgrpo(argv, { stdin: row.stdin }).finally(release);
      t.false(r.timedOut, "it hung and was killed");
      t.is(r.status, row.code, r.stderr);
      const lines = r.stderr.trimEnd().split("\n");
      t.is(lines.length, 1, `one line on stderr:\n${r.stderr}`);
      t.false(STACK_FRAME.test(r.stderr), "no stack trace");
      const prefix = command === "stgrpo" ? "stgrpo: " : `stgrpo ${command}: `;
      t.true(lines[0].startsWith(prefix), lines[0]);
      t.regex(lines[0].slice(prefix.length), row.error);
      if (!row.stdoutOk) t.is(r.stdout, "", "nothing on stdout");
    });
  }
}

test("a target nobody may write (EPERM/EACCES) is a one-line error for eval, expert and tables", async (t) => {
  if (!locked) {
    t.log("this machine offers no unwritable directory to root (no chattr +i): nothing to check here");
    t.pass();
    return;
  }
  const cases: [string[], RegExp][] = [
    [["eval", "--policy", "random", "--out", path.join(locked, "e.jsonl")], /^stgrpo eval: --out .*locked: cannot write to .*locked: (operation not permitted \(EPERM\)|permission denied \(EACCES\))$/],
    [["eval", "--policy", "random", "--out", path.join(locked, "sub", "e.jsonl")], /^stgrpo eval: --out .*: cannot create .*locked\/sub: (operation not permitted \(EPERM\)|permission denied \(EACCES\))$/],
    [["expert", "--tasks", "burger", "--n", "2", "--out", path.join(locked, "x")], /^stgrpo expert: --out .*: cannot create .*locked\/x/],
    [["tables", "--results", FIXTURE, "--out", path.join(locked, "t"), "--no-figures"], /^stgrpo tables: --out .*: cannot create .*locked\/t/],
  ];
  for (const [argv, re] of cases) {
    const r = await runStgrpo(argv);
    t.false(r.timedOut);
    t.is(r.status, 1, r.stderr);
    t.regex(r.stderr.trimEnd(), re);
    t.is(r.stderr.trimEnd().split("\n").length, 1);
  }
});

test("the number parser accepts the same seeds everywhere a layout is built: a 20-digit seed is Robotouille's layout", async (t) => {
  const big = "100000000000000000000";
  for (const cmd of ["layout", "observe", "plan"]) {
    const r = await runStgrpo([cmd, "burger", "--seed", big]);
    t.is(r.status, 0, `${cmd}: ${r.stderr}`);
  }
  const r = await runStgrpo(["replay", "burger", "--seed", big], { stdin: "" });
  t.is(r.status, 0, r.stderr);
  t.is(r.stdout.trim().split("\n").length, 1);
});
