/**
 * EndpointPolicy end to end against a real HTTP server on loopback (test/helpers/openaiServer.ts)
 * playing scripted behaviours: correct, malformed and invalid replies (feedback re-prompts), slow
 * replies (timeout → retry), 5xx (retry with backoff), dropped connections, unknown model (404), an
 * unreachable server; plus bounded concurrency, tokens, seeds, history across steps.
 */
import test from "ava";
import { resolveTask } from "../lib/env/index";
import { Kitchen } from "../lib/kitchen/kitchen";
import { UserError } from "../lib/util/errors";
import { testLayout } from "./helpers/testdata";
import { EndpointPolicy, EndpointPolicyOptions, feedbackMessage, PolicyContext, requestSeed, Semaphore } from "../lib/agent/index";
import { expertScript, feedbackOf, observationOf, reactReply, startOpenAIServer, validActionsOf } from "./helpers/openaiServer";


const BURGER = testLayout("synchronous/3_burger@default");
const TASK = resolveTask("burger");
/** An optimal plan of 3_burger's default layout (notes/kitchen-engine.md). */
const PLAN = [
  "Move robot1 from table1 to table3",
  "Pick up patty1 from table3 using robot1",
  "Move robot1 from table3 to table1",
  "Stack patty1 on top of bottombun1 using robot1",
  "Move robot1 from table1 to table2",
  "Pick up topbun1 from table2 using robot1",
  "Move robot1 from table2 to table1",
  "Stack topbun1 on top of patty1 using robot1",
];

function ctxOf(kitchen: Kitchen, t = 0, extra: Partial<PolicyContext> = {}): PolicyContext {
  return { task: TASK, seed: null, t, observation: kitchen.observation(), validActions: kitchen.validActions(), env: kitchen.clone(), ...extra };
}

/** Test settings: no in-context example, no token from the environment, fast backoff. */
function policyFor(url: string, opts: Partial<EndpointPolicyOptions> = {}): EndpointPolicy {
  return new EndpointPolicy({ endpoint: url, model: "test-model", token: "", backoffMs: 5, prompt: { inContextExample: false }, ...opts });
}

async function oneLineUserError(t: any, p: Promise<unknown>, re: RegExp): Promise<string> {
  const e = await t.throwsAsync(p, { instanceOf: UserError, message: re });
  t.false(e.message.includes("\n"), "one line");
  return e.message;
}

test("correct reply: one request, one attempt; the request carries the settings and ends with the observation", async (t) => {
  const server = await startOpenAIServer({ script: [{ reply: reactReply(PLAN[0], "Fetch the patty.") }] });
  const kitchen = Kitchen.fromLayout(BURGER);
  const policy = policyFor(server.url);
  const d = await policy.act(ctxOf(kitchen));
  t.deepEqual(d, { action: PLAN[0], attempts: 1, invalidReplies: 0, reasoning: "Fetch the patty.", raw: [reactReply(PLAN[0], "Fetch the patty.")], retries: 0 });
  t.is(server.requests.length, 1);
  const req = server.requests[0];
  t.like(req.body, { model: "test-model", temperature: 0.7, max_tokens: 1024, top_p: 1 });
  t.false("seed" in req.body);
  t.is(req.headers.authorization, undefined);
  t.deepEqual(req.messages.map((m) => m.role), ["system", "user", "user"]);
  t.is(req.messages[2].content, kitchen.observation());
  t.is(policy.client.stats.requests, 1);
  await server.close();
});

test("malformed and invalid replies are re-prompted with feedback and counted; retries are not steps", async (t) => {
  const server = await startOpenAIServer({
    script: [{ reply: "I will move to table3." }, { reply: "Reasoning: get the patty." }, { reply: "Reasoning: go.\nAction: Fly to table3" }, { reply: reactReply(PLAN[0]) }],
  });
  const kitchen = Kitchen.fromLayout(BURGER);
  const d = await policyFor(server.url).act(ctxOf(kitchen));
  t.like(d, { action: PLAN[0], attempts: 4, invalidReplies: 3, retries: 0 });
  t.is(d.raw!.length, 4);
  t.is(server.requests.length, 4);
  const obs = kitchen.observation();
  t.is(feedbackOf(server.requests[0]), null);
  t.is(feedbackOf(server.requests[1]), feedbackMessage({ error: "malformed_reasoning" }));
  t.is(feedbackOf(server.requests[2]), feedbackMessage({ error: "malformed_action" }));
  t.is(feedbackOf(server.requests[3]), feedbackMessage({ error: "invalid_action", action: "Fly to table3" }));
  for (const r of server.requests) t.is(observationOf(r), obs);
  // Each retry shows the rejected reply right before the feedback.
  const r1 = server.requests[1].messages;
  t.deepEqual(r1[r1.length - 2], { role: "assistant", content: "I will move to table3." });
  t.is(r1.length, 5);
  await server.close();
});

test("five failed attempts: the step gives no action", async (t) => {
  const server = await startOpenAIServer({ script: [{ reply: "Action: Do nothing" }] });
  const d = await policyFor(server.url).act(ctxOf(Kitchen.fromLayout(BURGER)));
  t.like(d, { action: null, attempts: 5, invalidReplies: 5 });
  t.is(d.raw!.length, 5);
  t.is(server.requests.length, 5);
  await server.close();
});

test("slow reply: the request times out and is retried once", async (t) => {
  // Margins are wide (a 1 s timeout against a 10 s reply) because CI machines are loaded: a prompt
  // reply must never look slow. Servers close in teardown, so a failed assertion cannot leave one
  // listening and keep the test process alive.
  const server = await startOpenAIServer({ script: [{ reply: reactReply(PLAN[0]), delayMs: 10_000 }, { reply: reactReply(PLAN[0]) }] });
  t.teardown(() => server.close());
  const policy = policyFor(server.url, { timeoutMs: 1000 });
  const d = await policy.act(ctxOf(Kitchen.fromLayout(BURGER)));
  t.like(d, { action: PLAN[0], attempts: 1, invalidReplies: 0, retries: 1 });
  t.is(server.requests.length, 2);
  t.deepEqual(policy.client.stats, { requests: 2, retries: 1, replies: 1, backoffsMs: [5] });

  // A server that never answers: every try times out, then a one-line error. (Counted on the
  // client: on a loaded machine a try can be aborted before the server has read it.)
  const silent = await startOpenAIServer({ script: [{ hang: true }] });
  t.teardown(() => silent.close());
  const hanging = policyFor(silent.url, { timeoutMs: 300, retries: 1 });
  await oneLineUserError(t, hanging.act(ctxOf(Kitchen.fromLayout(BURGER))), /no usable answer from .*: no answer within 0\.3 s \(2 tries\)/);
  t.is(hanging.client.stats.requests, 2);
  t.true(silent.requests.length <= 2);
});

test("5xx: retried with exponential backoff (503 included, no endless retry)", async (t) => {
  const server = await startOpenAIServer({ script: [{ status: 500 }, { status: 503 }, { status: 502 }, { reply: reactReply(PLAN[0]) }] });
  const policy = policyFor(server.url);
  const d = await policy.act(ctxOf(Kitchen.fromLayout(BURGER)));
  t.like(d, { action: PLAN[0], attempts: 1, retries: 3 });
  t.is(server.requests.length, 4);
  t.deepEqual(policy.client.stats.backoffsMs, [5, 10, 20]);
  await server.close();
});

test("persistent 5xx: gives up after the retries with a one-line error", async (t) => {
  const server = await startOpenAIServer({ script: [{ status: 503, body: { object: "error", message: "overloaded" } }] });
  const policy = policyFor(server.url, { retries: 2 });
  const msg = await oneLineUserError(t, policy.act(ctxOf(Kitchen.fromLayout(BURGER))), /no usable answer from http.*\/v1\/chat\/completions: HTTP 503 \(overloaded\) \(3 tries\)/);
  t.truthy(msg);
  t.is(server.requests.length, 3);
  await server.close();
});

test("dropped connection (socket destroyed): retried", async (t) => {
  const server = await startOpenAIServer({ script: [{ drop: true }, { drop: true }, { reply: reactReply(PLAN[0]) }] });
  const policy = policyFor(server.url);
  const d = await policy.act(ctxOf(Kitchen.fromLayout(BURGER)));
  t.like(d, { action: PLAN[0], attempts: 1, retries: 2 });
  t.is(server.requests.length, 3);
  await server.close();
});

test("429 is retried; other 4xx are not", async (t) => {
  const server = await startOpenAIServer({ script: [{ status: 429 }, { reply: reactReply(PLAN[0]) }] });
  t.like(await policyFor(server.url).act(ctxOf(Kitchen.fromLayout(BURGER))), { action: PLAN[0], retries: 1 });
  await server.close();

  const bad = await startOpenAIServer({ script: [{ status: 400, body: { object: "error", message: "max_tokens is too large", code: 400 } }] });
  await oneLineUserError(t, policyFor(bad.url).act(ctxOf(Kitchen.fromLayout(BURGER))), /HTTP 400 \(max_tokens is too large\)/);
  t.is(bad.requests.length, 1);
  await bad.close();

  const auth = await startOpenAIServer({ script: [{ status: 401, body: { error: { message: "Invalid token" } } }] });
  await oneLineUserError(t, policyFor(auth.url).act(ctxOf(Kitchen.fromLayout(BURGER))), /HTTP 401 \(Invalid token\): pass a valid token/);
  t.is(auth.requests.length, 1);
  await auth.close();
});

test("unknown model: 404 → one-line error naming the model and the served ones, no retry", async (t) => {
  const server = await startOpenAIServer({ script: [{ reply: reactReply(PLAN[0]) }], models: ["Qwen/Qwen2.5-1.5B-Instruct"] });
  const policy = policyFor(server.url, { model: "nope" });
  await oneLineUserError(t, policy.act(ctxOf(Kitchen.fromLayout(BURGER))), /model "nope" not found at .*HTTP 404 \(The model `nope` does not exist\.\); served: Qwen\/Qwen2\.5-1\.5B-Instruct/);
  t.is(server.requests.length, 1);
  t.is(policy.client.stats.retries, 0);
  // preflight says it before any chat request.
  await oneLineUserError(t, policy.client.preflight(), /model "nope" is not served .*served: Qwen\/Qwen2\.5-1\.5B-Instruct/);
  t.is(server.requests.length, 1);
  await server.close();
});

test("unreachable server: one-line error after the retries", async (t) => {
  const server = await startOpenAIServer({ script: [{ reply: "x" }] });
  const url = server.url;
  await server.close();
  const policy = policyFor(url, { retries: 2 });
  await oneLineUserError(t, policy.act(ctxOf(Kitchen.fromLayout(BURGER))), /^cannot reach http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions: ECONNREFUSED.* \(3 tries\)$/);
  t.deepEqual(policy.client.stats, { requests: 3, retries: 2, replies: 0, backoffsMs: [5, 10] });
});

test("no model given: the first id of /v1/models, asked once", async (t) => {
  const server = await startOpenAIServer({ script: [{ reply: reactReply(PLAN[0]) }], models: ["served-a", "served-b"] });
  const policy = policyFor(server.url, { model: undefined });
  const k = Kitchen.fromLayout(BURGER);
  await policy.act(ctxOf(k));
  await policy.act(ctxOf(k));
  t.is(server.modelListRequests, 1);
  t.deepEqual(server.requests.map((r) => r.model), ["served-a", "served-a"]);
  t.is(await policy.client.preflight(), "served-a");
  await server.close();
});

test("endpoint URL forms, token, seed and sampling settings reach the server", async (t) => {
  const server = await startOpenAIServer({ script: [{ reply: reactReply(PLAN[0]) }] });
  const k = Kitchen.fromLayout(BURGER);
  for (const url of [server.url, `${server.url}/`, `${server.url}/v1`, `${server.url}/v1/chat/completions`]) {
    t.is((await policyFor(url).act(ctxOf(k))).action, PLAN[0], url);
  }
  const policy = policyFor(server.url, { token: "secret-token", seed: 7, temperature: 0, maxTokens: 64, topP: 0.9 });
  await policy.act(ctxOf(k, 3));
  const req = server.requests[server.requests.length - 1];
  t.is(req.headers.authorization, "Bearer secret-token");
  t.like(req.body, { temperature: 0, max_tokens: 64, top_p: 0.9, seed: requestSeed(7, { task: "burger", seed: null, t: 3, attempt: 1 }) });
  t.not(requestSeed(7, { task: "burger", seed: null, t: 3, attempt: 1 }), requestSeed(7, { task: "burger", seed: null, t: 3, attempt: 2 }));
  await server.close();
});

test("not an OpenAI-compatible answer: retried as a server failure, then a one-line error", async (t) => {
  const server = await startOpenAIServer({ script: [{ status: 200, body: { result: "hello" } }] });
  await oneLineUserError(t, policyFor(server.url, { retries: 2 }).act(ctxOf(Kitchen.fromLayout(BURGER))), /no usable answer from .*: malformed reply: no choices array .* \(3 tries\)$/);
  t.is(server.requests.length, 3);
  await server.close();
});

test("bounded concurrency: a shared semaphore caps requests in flight across episodes and policies", async (t) => {
  const server = await startOpenAIServer({ script: [{ reply: reactReply(PLAN[0]), delayMs: 40 }] });
  const k = Kitchen.fromLayout(BURGER);
  const policy = policyFor(server.url, { concurrency: 2 });
  const ds = await Promise.all([1, 2, 3, 4, 5, 6].map((s) => policy.act(ctxOf(k, 0, { seed: s }))));
  t.true(ds.every((d) => d.action === PLAN[0]));
  t.is(server.maxInFlight, 2);
  t.is(server.requests.length, 6);

  const server2 = await startOpenAIServer({ script: [{ reply: reactReply(PLAN[0]), delayMs: 40 }] });
  const shared = new Semaphore(3);
  const a = policyFor(server2.url, { semaphore: shared });
  const b = policyFor(server2.url, { semaphore: shared });
  await Promise.all([1, 2, 3, 4].flatMap((s) => [a.act(ctxOf(k, 0, { seed: s })), b.act(ctxOf(k, 0, { seed: s }))]));
  t.is(server2.maxInFlight, 3);
  t.is(shared.inFlight, 0);
  await server.close();
  await server2.close();
});

test("a whole episode: an expert-scripted server drives the kitchen to the goal; the history is the last step", async (t) => {
  let step = 0;
  // The scripted "model" answers with the plan's next action, checking it is among the valid ones.
  const server = await startOpenAIServer({
    script: expertScript((obs) => {
      const action = PLAN[Math.min(step, PLAN.length - 1)];
      if (!validActionsOf(obs).includes(action)) throw new Error(`${action} is not valid here`);
      return action;
    }),
  });
  const policy = policyFor(server.url);
  const kitchen = Kitchen.fromLayout(BURGER);
  let done = false;
  for (; step < PLAN.length && !done; step++) {
    const d = await policy.act(ctxOf(kitchen, step));
    t.is(d.action, PLAN[step]);
    done = kitchen.step(d.action!).done;
  }
  t.true(done);
  t.is(server.requests.length, PLAN.length);
  t.deepEqual(server.requests[0].messages.map((m) => m.role), ["system", "user", "user"]);
  for (let i = 1; i < PLAN.length; i++) {
    const m = server.requests[i].messages;
    t.is(m.length, 5);
    t.deepEqual(m[2], { role: "user", content: "Previous Observation: omitted" });
    t.deepEqual(m[3], { role: "assistant", content: `Previous Reasoning: Following my plan.\nPrevious Action: ${PLAN[i - 1]}` });
  }
  // A new episode (t = 0) starts with no history.
  step = 0;
  await policy.act(ctxOf(Kitchen.fromLayout(BURGER), 0));
  t.is(server.requests[server.requests.length - 1].messages.length, 3);
  await server.close();
});

test("history from the runner (ctx.history) takes precedence over the policy's memory", async (t) => {
  const server = await startOpenAIServer({ script: [{ reply: reactReply(PLAN[0]) }] });
  const policy = policyFor(server.url, { prompt: { inContextExample: false, historyTurns: 2 } });
  const k = Kitchen.fromLayout(BURGER);
  await policy.act(ctxOf(k, 5, { history: [{ action: "A", reasoning: "ra" }, { action: "B", reasoning: "rb" }, { action: "C" }] }));
  const m = server.requests[0].messages;
  t.deepEqual(m.slice(2, 6).map((x) => x.content), ["Previous Observation: omitted", "Previous Reasoning: rb\nPrevious Action: B", "Previous Observation: omitted", "Previous Action: C"]);
  await server.close();
});
