/**
 * The evaluation end to end through the ReAct agent (EndpointPolicy) against a real OpenAI-compatible
 * server on loopback (test/helpers/openaiServer.ts) playing scripted behaviours: the expert (the
 * recorded optimal plans of data/testdata/optimal_walks.jsonl), random valid actions, malformed and
 * invalid replies, slow replies, 500 errors and dropped connections. Exact episode outcomes, request,
 * attempt and retry counts, and metrics.
 */
import test from "ava";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EndpointPolicy, EndpointPolicyOptions, feedbackMessage } from "../lib/agent/index";
import { makeKitchen, resolveTask } from "../lib/kitchen/index";
import { UserError } from "../lib/util/errors";
import { silentProgress } from "../lib/util/progress";
import { evaluateRun, EvaluateOptions, readEpisodes } from "../lib/eval/evaluate";
import { paperTasks } from "../lib/eval/protocol";
import { wilsonInterval } from "../lib/eval/metrics";
import type { EpisodeRecord } from "../lib/eval/episode";
import {
  Behaviour,
  ChatRequestRecord,
  feedbackOf,
  hashedValidAction,
  observationOf,
  optimalWalks,
  randomValidScript,
  reactReply,
  startOpenAIServer,
} from "./helpers/openaiServer";

const WALKS = optimalWalks(path.join(__dirname, "..", "data", "testdata", "optimal_walks.jsonl"));
const BURGER = resolveTask("burger");
const PLAN_LENGTHS: Record<string, number> = { cheese_sandwich: 8, burger: 8, cheese_burger: 15, double_cheese_burger: 23 };

function tmpFile(name = "episodes.jsonl"): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-eval-")), name);
}

function policyFor(url: string, opts: Partial<EndpointPolicyOptions> = {}): EndpointPolicy {
  return new EndpointPolicy({ endpoint: url, model: "test-model", token: "", backoffMs: 5, prompt: { inContextExample: false }, ...opts });
}

function evalOpts(out: string, extra: Partial<EvaluateOptions> = {}): EvaluateOptions {
  return { run: "t", model: "test-model", tasks: [BURGER], seeds: [null], out, progress: silentProgress, ...extra };
}

/** The expert's reply for a request (by the observation in its last message). */
const expertReply = (req: ChatRequestRecord): Behaviour => ({ reply: reactReply(WALKS.actionAt(observationOf(req))) });

/** A script that answers each observation's first `n` requests with `first(i)`, then as the expert. */
function firstTries(n: number, first: (i: number, req: ChatRequestRecord) => Behaviour) {
  const seen = new Map<string, number>();
  return (req: ChatRequestRecord): Behaviour => {
    const obs = observationOf(req);
    const i = seen.get(obs) ?? 0;
    seen.set(obs, i + 1);
    return i < n ? first(i, req) : expertReply(req);
  };
}

/** A loopback server closed when the test ends, whether it passes or fails. */
async function serve(t: { teardown(fn: () => Promise<void>): void }, opts: Parameters<typeof startOpenAIServer>[0]) {
  const server = await startOpenAIServer(opts);
  t.teardown(() => server.close());
  return server;
}

const withoutWall = (eps: EpisodeRecord[]) => eps.map(({ wall_ms: _w, ...rest }) => rest);

test("the expert on the four paper tasks: minimal steps, one request per step, every request ends with the observation", async (t) => {
  const server = await serve(t, { script: expertReply });
  const out = tmpFile();
  const r = await evaluateRun(policyFor(server.url), evalOpts(out, { tasks: paperTasks(), protocol: "custom" }));
  const eps = readEpisodes(out);
  t.deepEqual(eps.map((e) => [e.task, e.success, e.steps, e.attempts, e.invalid_replies, e.retries]), [
    ["cheese_sandwich", true, 8, 8, 0, 0],
    ["burger", true, 8, 8, 0, 0],
    ["cheese_burger", true, 15, 15, 0, 0],
    ["double_cheese_burger", true, 23, 23, 0, 0],
  ]);
  t.deepEqual(eps[1].actions, WALKS.plans.get("synchronous/3_burger@default"));
  t.deepEqual(eps.map((e) => e.timeout), [15, 15, 23, 35]);
  t.is(server.requests.length, 8 + 8 + 15 + 23);
  // The contract: the last message of every request is a user message holding the observation verbatim,
  // in the order the episodes visit the states.
  const visited: string[] = [];
  for (const e of eps) {
    const k = makeKitchen(e.task, null);
    for (const a of e.actions) {
      visited.push(k.observation());
      k.step(a);
    }
  }
  t.deepEqual(server.requests.map((q) => q.messages[q.messages.length - 1]), visited.map((content) => ({ role: "user", content })));
  // The runner passes the completed steps as history: the second request shows the first action.
  t.true(server.requests[1].messages.some((m) => m.role === "assistant" && m.content.endsWith(`Previous Action: ${eps[0].actions[0]}`)));
  for (const task of Object.keys(PLAN_LENGTHS)) {
    t.deepEqual(r.metrics[task], {
      n: 1,
      sr: 1,
      asat: PLAN_LENGTHS[task],
      asst: PLAN_LENGTHS[task],
      sr_ci: wilsonInterval(1, 1),
      asat_ci: [PLAN_LENGTHS[task], PLAN_LENGTHS[task]],
      asst_ci: [PLAN_LENGTHS[task], PLAN_LENGTHS[task]],
    });
  }
});

test("random valid actions: the episode is exactly the replayed choices, failing at the timeout", async (t) => {
  const server = await serve(t, { script: randomValidScript({ salt: 3 }) });
  const out = tmpFile();
  const r = await evaluateRun(policyFor(server.url), evalOpts(out, { seeds: [42, 84] }));
  const eps = readEpisodes(out);
  for (const e of eps) {
    // Replay the scripted model's choice in-process: a valid action picked by a hash of the observation.
    const k = makeKitchen("burger", e.seed);
    const expected: string[] = [];
    let done = false;
    while (!done && expected.length < 15) {
      const a = hashedValidAction({ messages: [{ role: "user", content: k.observation() }] }, 3);
      expected.push(a);
      done = k.step(a).done;
    }
    t.deepEqual(e.actions, expected);
    t.is(e.success, done);
    t.is(e.steps, done ? expected.length : 15);
    t.is(e.attempts, expected.length);
    t.is(e.invalid_replies, 0);
  }
  t.deepEqual(eps.map((e) => e.success), [false, false]);
  t.like(r.metrics.burger, { n: 2, sr: 0, asat: 15, asst: null, sr_ci: [0, wilsonInterval(0, 2)[1]] });
});

test("malformed and invalid replies are re-prompted with feedback; they count as replies, never as steps", async (t) => {
  const bad = (i: number): Behaviour => ({ reply: i === 0 ? "I will go to the patty." : "Reasoning: go.\nAction: Fly to table3" });
  const server = await serve(t, { script: firstTries(2, bad) });
  const out = tmpFile();
  const r = await evaluateRun(policyFor(server.url), evalOpts(out));
  const [e] = readEpisodes(out);
  t.like(e, { success: true, steps: 8, steps_taken: 8, attempts: 24, invalid_replies: 16, retries: 0, exhaustions: 0, gave_up: false });
  t.deepEqual(e.actions, WALKS.plans.get("synchronous/3_burger@default"));
  t.is(server.requests.length, 24);
  t.deepEqual(server.requests.slice(0, 3).map(feedbackOf), [
    null,
    feedbackMessage({ error: "malformed_reasoning" }),
    feedbackMessage({ error: "invalid_action", action: "Fly to table3" }),
  ]);
  for (const q of server.requests) t.true(q.messages[q.messages.length - 1].content.endsWith(observationOf(q)));
  t.like(r.metrics.burger, { sr: 1, asat: 8, asst: 8 });
});

test("five rejected replies give no action and no step; the third such step gives up", async (t) => {
  // One exhausted step, then the expert: the episode still succeeds in 8 steps.
  let calls = 0;
  const once = await serve(t, { script: (req) => (calls++ < 5 ? { reply: "no idea" } : expertReply(req)) });
  const out1 = tmpFile();
  await evaluateRun(policyFor(once.url), evalOpts(out1));
  t.like(readEpisodes(out1)[0], { success: true, steps: 8, attempts: 13, invalid_replies: 5, exhaustions: 1, gave_up: false });

  // Always malformed: 3 × 5 replies on the first state, then the agent gives up.
  const never = await serve(t, { script: [{ reply: "Action: Move robot1 from table1 to table3" }] });
  const out2 = tmpFile();
  const r = await evaluateRun(policyFor(never.url), evalOpts(out2));
  t.like(readEpisodes(out2)[0], {
    success: false,
    steps: 15,
    steps_taken: 0,
    actions: [],
    attempts: 15,
    invalid_replies: 15,
    exhaustions: 3,
    gave_up: true,
  });
  t.is(never.requests.length, 15);
  t.deepEqual(r.metrics.burger, { n: 1, sr: 0, asat: 15, asst: null, sr_ci: [0, wilsonInterval(0, 1)[1]], asat_ci: [15, 15], asst_ci: null });
});

test("slow replies time out and are retried; retries are counted apart from replies", async (t) => {
  // The first request at each of the first two states hangs past the 1 s request timeout.
  let slow = 0;
  const server = await serve(t, { script: firstTries(1, (_i, req) => (slow++ < 2 ? { hang: true } : expertReply(req))) });
  const out = tmpFile();
  const policy = policyFor(server.url, { timeoutMs: 1000 });
  await evaluateRun(policy, evalOpts(out));
  t.like(readEpisodes(out)[0], { success: true, steps: 8, attempts: 8, invalid_replies: 0, retries: 2 });
  t.like(policy.client.stats, { requests: 10, retries: 2, replies: 8 });
  t.is(server.requests.length, 10);
});

test("500 errors and dropped connections are retried with backoff, and the episode is unchanged", async (t) => {
  for (const failure of [{ status: 500 }, { drop: true as const }]) {
    const server = await serve(t, { script: firstTries(1, () => failure) });
    const out = tmpFile();
    const policy = policyFor(server.url);
    const traces = tmpFile("traces.jsonl");
    await evaluateRun(policy, evalOpts(out, { traces }));
    const [e] = readEpisodes(out);
    t.like(e, { success: true, steps: 8, attempts: 8, invalid_replies: 0, retries: 8 }, JSON.stringify(failure));
    t.deepEqual(e.actions, WALKS.plans.get("synchronous/3_burger@default"));
    t.deepEqual(policy.client.stats.backoffsMs, new Array(8).fill(5));
    t.is(server.requests.length, 16);
    const [trace] = fs.readFileSync(traces, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    t.deepEqual(trace.turns.map((x: any) => x.retries), new Array(8).fill(1));
    t.is(trace.turns[0].observation, makeKitchen("burger", null).observation());
  }
});

test("a server that keeps failing stops the run with a one-line error; the rerun resumes to the uninterrupted file", async (t) => {
  const tasks = [resolveTask("cheese_sandwich"), BURGER];
  // Reference: an uninterrupted run.
  const good = await serve(t, { script: expertReply });
  const reference = tmpFile();
  await evaluateRun(policyFor(good.url), evalOpts(reference, { tasks }));
  // Burger's states get 500s: the cheese sandwich episode is written, burger's is not.
  const flaky = await serve(t, {
    script: (req) => (observationOf(req).includes("bottombun") ? { status: 500, body: { message: "overloaded" } } : expertReply(req)),
  });
  const out = tmpFile();
  const e = await t.throwsAsync(evaluateRun(policyFor(flaky.url, { retries: 1 }), evalOpts(out, { tasks })), { instanceOf: UserError });
  t.regex(e!.message, /^no usable answer from http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions: HTTP 500 \(overloaded\) \(2 tries\)$/);
  t.deepEqual(readEpisodes(out).map((x) => x.task), ["cheese_sandwich"]);
  const resumed = await evaluateRun(policyFor(good.url), evalOpts(out, { tasks }));
  t.like(resumed, { ran: 1, resumed: 1 });
  t.deepEqual(withoutWall(readEpisodes(out)), withoutWall(readEpisodes(reference)));
});

test("concurrent episodes overlap their requests and write the same file, in protocol order", async (t) => {
  const server = await serve(t, { script: (req) => ({ ...expertReply(req), delayMs: 20 }) });
  const [one, four] = [tmpFile(), tmpFile()];
  await evaluateRun(policyFor(server.url), evalOpts(one, { tasks: paperTasks() }));
  t.is(server.maxInFlight, 1);
  const r = await evaluateRun(policyFor(server.url), evalOpts(four, { tasks: paperTasks(), concurrency: 4 }));
  t.true(server.maxInFlight >= 2 && server.maxInFlight <= 4, `max in flight ${server.maxInFlight}`);
  t.deepEqual(withoutWall(readEpisodes(four)), withoutWall(readEpisodes(one)));
  t.deepEqual(r.episodes.map((e) => e.task), ["cheese_sandwich", "burger", "cheese_burger", "double_cheese_burger"]);
});
