/**
 * Killing an evaluation mid-run and restarting it gives the same final episode JSONL as an
 * uninterrupted run — every field but `wall_ms` (wall-clock time, which no rerun can repeat). The
 * evaluation is the real `bin/stgrpo eval` in a child process, talking to a loopback server whose
 * scripted model answers with hashed valid actions and some malformed replies (so episodes differ in
 * length, retries and outcome), SIGKILLed once some episodes were appended.
 */
import test from "ava";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readEpisodes } from "../lib/eval/evaluate";
import type { EpisodeRecord } from "../lib/eval/episode";
import { randomValidScript, startOpenAIServer } from "./helpers/openaiServer";

const ROOT = path.resolve(__dirname, "..");
const BIN = path.join(ROOT, "bin", "stgrpo");
const ENV = { ...process.env, HF_TOKEN: "" };

/** Run the CLI without blocking this process (the loopback server lives here). */
function stgrpo(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { env: ENV });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

const withoutWall = (eps: EpisodeRecord[]) => eps.map(({ wall_ms: _w, ...rest }) => rest);
const lines = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim()).length : 0);

test("kill -9 mid-run, restart: the same JSONL as an uninterrupted run (all fields but wall_ms), and the same metrics", async (t) => {
  const server = await startOpenAIServer({ script: randomValidScript({ salt: 1, malformed: 0.2, delayMs: 5 }) });
  t.teardown(() => server.close());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-resume-"));
  const args = (out: string, concurrency: number) => [
    BIN, "eval", "--policy", "endpoint", "--endpoint", server.url, "--model", "test-model", "--no-example",
    "--backoff-ms", "5", "--tasks", "burger,cheese_sandwich", "--out", out, "--concurrency", String(concurrency), "--json", "--quiet",
  ];

  const reference = path.join(dir, "reference.jsonl");
  const ref = await stgrpo(args(reference, 1));
  t.is(ref.status, 0, ref.stderr);
  t.is(lines(reference), 20);

  // The interrupted run: kill it once a few episodes are on disk.
  const out = path.join(dir, "killed.jsonl");
  const child = spawn(process.execPath, args(out, 3), { env: ENV, stdio: "ignore" });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
  let atKill = 0;
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      atKill = lines(out);
      if (atKill >= 3) {
        child.kill("SIGKILL");
        clearInterval(poll);
        resolve();
      }
    }, 5);
  });
  t.is(await exited, "SIGKILL");
  const partial = lines(out);
  t.true(partial >= 3 && partial < 20, `${partial} episodes before the kill`);
  // What a kill during a write leaves: a torn last line (ignored on resume, cut before appending).
  fs.appendFileSync(out, '{"run":"paper","model":"test-mo');

  const rerun = await stgrpo(args(out, 2));
  t.is(rerun.status, 0, rerun.stderr);
  t.deepEqual(withoutWall(readEpisodes(out)), withoutWall(readEpisodes(reference)));
  t.deepEqual(JSON.parse(rerun.stdout), JSON.parse(ref.stdout));
  // The runs differ from one another (else the comparison proves little): lengths, rejections, outcomes.
  const eps = readEpisodes(reference);
  t.true(new Set(eps.map((e) => e.steps_taken)).size > 1);
  t.true(eps.some((e) => e.invalid_replies > 0));

  // A third run finds everything done and asks the server nothing.
  const before = server.requests.length;
  const again = await stgrpo(args(out, 2));
  t.is(again.status, 0, again.stderr);
  t.is(server.requests.length, before);
  t.is(lines(out), 20);
});
