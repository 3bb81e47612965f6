/**
 * `stgrpo eval` against a misbehaving OpenAI-compatible server on loopback (test/helpers/openaiServer.ts):
 *
 * - every malformed 200 (invalid JSON, an HTML page, no choices, `choices: []`, `choices: [{}]`, null
 *   content, a JSON array, an empty body) is a server failure: retried with backoff, and when it
 *   persists the run stops with one line saying what came back — no stack trace, no episode recorded
 *   as the model's invalid reply;
 * - faults that pass (each of those, 500, 503, 429, a dropped connection, once per request) are
 *   survived: the episodes are exactly a clean run's (every field but wall_ms and the retry counts), each
 *   once, and the retry counts add up to the faults injected;
 * - a kill -9 in the middle of such a run, plus a torn last line, resumes to the same file, nothing
 *   lost or duplicated;
 * - resuming with options that would change the episodes is refused, naming them.
 */
import test from "ava";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readEpisodes, episodeKey } from "../lib/eval/evaluate";
import type { EpisodeRecord } from "../lib/eval/episode";
import { Behaviour, hashedValidAction, MISBEHAVIOURS, reactReply, Script, startOpenAIServer } from "./helpers/openaiServer";
import { BIN, runStgrpo, STACK_FRAME } from "./helpers/cli";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-server-"));
let n = 0;
const file = (name: string) => path.join(tmp, `${n++}-${name}`);
const lines = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8").split("\n").filter((l) => l.trim()).length : 0);

/** A model answering a valid action chosen by a hash of the request (the same answer whatever the order). */
const model: Script = (req) => ({ reply: reactReply(hashedValidAction(req, 3)) });

/** Every way a request can fail and succeed on its retry. */
const FAULTS: Behaviour[] = [...Object.values(MISBEHAVIOURS), { status: 500 }, { status: 503 }, { status: 429 }, { drop: true }];

/** `inner`, but the first try of every distinct request fails, cycling through FAULTS. Counts the faults. */
function faultyOnce(inner: Script): { script: Script; faults: () => number } {
  const seen = new Set<string>();
  let k = 0;
  const script: Script = (req) => {
    const key = JSON.stringify([req.messages, req.body.seed ?? null]);
    if (!seen.has(key)) {
      seen.add(key);
      return FAULTS[k++ % FAULTS.length];
    }
    return (inner as (r: typeof req) => Behaviour)(req);
  };
  return { script, faults: () => k };
}

const evalArgs = (url: string, out: string, extra: string[] = []) => [
  "eval", "--policy", "endpoint", "--endpoint", url, "--model", "test-model", "--no-example", "--backoff-ms", "2",
  "--tasks", "burger,cheese_sandwich", "--seeds", "default,42,84", "--sampling-seed", "7", "--out", out, "--json", "--quiet", ...extra,
];

/** What must not change when faults are survived: everything but wall-clock time and the retry counts. */
const comparable = (eps: EpisodeRecord[]) => eps.map(({ wall_ms: _w, retries: _r, ...rest }) => rest);

for (const [name, behaviour] of Object.entries(MISBEHAVIOURS)) {
  test(`a server that keeps answering ${name} with 200: retried, then one line, no episode`, async (t) => {
    const server = await startOpenAIServer({ script: [behaviour] });
    t.teardown(() => server.close());
    const out = file("e.jsonl");
    const r = await runStgrpo(evalArgs(server.url, out, ["--retries", "2", "--concurrency", "1"]));
    t.false(r.timedOut);
    t.is(r.status, 1, r.stderr);
    t.regex(r.stderr, /^stgrpo eval: no usable answer from http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions: malformed reply: .* \(3 tries\)\n$/);
    t.false(STACK_FRAME.test(r.stderr));
    t.is(server.requests.length, 3, "the first request and its two retries, then the run stops");
    t.is(lines(out), 0, "no episode is recorded from a broken server");
  });
}

test("faults that pass are survived: the episodes are a clean run's, each once; the retries add up", async (t) => {
  const clean = await startOpenAIServer({ script: model });
  const faulty = faultyOnce(model);
  const flaky = await startOpenAIServer({ script: faulty.script });
  t.teardown(() => Promise.all([clean.close(), flaky.close()]).then(() => undefined));
  const [a, b] = [file("clean.jsonl"), file("flaky.jsonl")];
  const [ra, rb] = await Promise.all([runStgrpo(evalArgs(clean.url, a, ["--concurrency", "2"])), runStgrpo(evalArgs(flaky.url, b, ["--concurrency", "2"]))]);
  t.is(ra.status, 0, ra.stderr);
  t.is(rb.status, 0, rb.stderr);
  t.deepEqual(JSON.parse(rb.stdout), JSON.parse(ra.stdout), "the same metrics");
  const [ea, eb] = [readEpisodes(a), readEpisodes(b)];
  t.is(ea.length, 6);
  t.deepEqual(comparable(eb), comparable(ea));
  t.is(new Set(eb.map(episodeKey)).size, eb.length, "no episode twice");
  t.true(faulty.faults() >= FAULTS.length, `every fault kind was injected (${faulty.faults()})`);
  t.is(eb.reduce((s, e) => s + e.retries, 0), faulty.faults(), "one retry per injected fault");
  t.is(ea.reduce((s, e) => s + e.retries, 0), 0);
  t.is(flaky.requests.length - clean.requests.length, faulty.faults());
});

test("kill -9 in the middle of a faulty run, and a torn last line: the rerun completes the same file", async (t) => {
  const clean = await startOpenAIServer({ script: model });
  const slowModel: Script = (req) => ({ reply: reactReply(hashedValidAction(req, 3)), delayMs: 20 }); // time to kill it mid-run
  const flaky = await startOpenAIServer({ script: faultyOnce(slowModel).script });
  t.teardown(() => Promise.all([clean.close(), flaky.close()]).then(() => undefined));
  const reference = file("reference.jsonl");
  t.is((await runStgrpo(evalArgs(clean.url, reference, ["--concurrency", "1"]))).status, 0);

  const out = file("killed.jsonl");
  const child = spawn(process.execPath, [BIN, ...evalArgs(flaky.url, out, ["--concurrency", "2"])], { env: { ...process.env, HF_TOKEN: "" }, stdio: "ignore" });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_c, signal) => resolve(signal)));
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (lines(out) >= 2) {
        child.kill("SIGKILL");
        clearInterval(poll);
        resolve();
      }
    }, 5);
  });
  t.is(await exited, "SIGKILL");
  const before = lines(out);
  t.true(before >= 2 && before < 6, `${before} episodes before the kill`);
  fs.appendFileSync(out, '{"run":"custom","model":"test-mo'); // what a kill mid-write leaves

  const rerun = await runStgrpo(evalArgs(flaky.url, out, ["--concurrency", "2"]));
  t.is(rerun.status, 0, rerun.stderr);
  const eps = readEpisodes(out);
  t.deepEqual(comparable(eps), comparable(readEpisodes(reference)));
  t.is(new Set(eps.map(episodeKey)).size, 6, "nothing lost, nothing twice");
  t.true(fs.readFileSync(out, "utf8").endsWith("}\n"), "the torn line is gone");
});

/** argv with each `--flag value` of `extra` replacing the flag's value (or added): no flag given twice. */
function withFlags(argv: string[], extra: string[]): string[] {
  const out = [...argv];
  for (let i = 0; i < extra.length; i += 2) {
    const k = out.indexOf(extra[i]);
    if (k >= 0) out.splice(k, 2, extra[i], extra[i + 1]);
    else out.push(extra[i], extra[i + 1]);
  }
  return out;
}

test("resuming with options that would change the episodes is refused, naming them; the same options resume", async (t) => {
  const server = await startOpenAIServer({ script: model, models: ["test-model", "other-model"] });
  t.teardown(() => server.close());
  const out = file("settings.jsonl");
  const base = withFlags(evalArgs(server.url, out), ["--name", "m", "--tasks", "burger", "--seeds", "default"]);
  t.is((await runStgrpo(base)).status, 0);
  const cases: [string[], RegExp][] = [
    [["--sampling-seed", "8"], /seed 7 → 8/],
    [["--temperature", "0"], /temperature 0\.7 → 0/],
    [["--top-p", "0.9"], /topP 1 → 0\.9/],
    [["--max-tokens", "64"], /maxTokens 1024 → 64/],
    [["--history", "all"], /prompt\.historyTurns 1 → null/],
    [["--model", "other-model"], /model "test-model" → "other-model"/],
    [["--timeout", "20"], /timeout 15 → 20/],
  ];
  for (const [extra, re] of cases) {
    const r = await runStgrpo(withFlags(base, extra));
    t.is(r.status, 1, `${extra.join(" ")}: ${r.stderr}`);
    t.regex(r.stderr, /^stgrpo eval: .*settings\.jsonl already has 1 episode\(s\) of m \(run (custom|paper)\) that this run would resume with other settings \(file → now: /);
    t.regex(r.stderr, re);
    t.is(r.stderr.trimEnd().split("\n").length, 1);
  }
  // Transport settings do not change an episode: another concurrency, retries or request timeout resume.
  const same = await runStgrpo(withFlags(base, ["--retries", "1", "--request-timeout", "30", "--concurrency", "3"]));
  t.is(same.status, 0, same.stderr);
  t.is(lines(out), 1);
  t.like(readEpisodes(out)[0], { settings: { policy: "endpoint", seed: 7, temperature: 0.7, topP: 1, maxTokens: 1024, model: "test-model" } } as any);
});

test("random: a changed --sampling-seed is refused on resume", async (t) => {
  const out = file("random.jsonl");
  const args = ["eval", "--policy", "random", "--tasks", "burger", "--seeds", "42", "--out", out, "--quiet"];
  t.is((await runStgrpo([...args, "--sampling-seed", "1"])).status, 0);
  const r = await runStgrpo([...args, "--sampling-seed", "2"]);
  t.is(r.status, 1);
  t.regex(r.stderr, /would resume with other settings \(file → now: seed 1 → 2\)/);
});
