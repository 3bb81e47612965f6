/**
 * The reference policies (random, expert) and the ReAct loop on a scripted in-process chat function.
 */
import test from "ava";
import { resolveTask } from "../lib/env/index";
import { Kitchen } from "../lib/kitchen/kitchen";
import { UserError } from "../lib/util/errors";
import { testLayout } from "./helpers/testdata";
import { ChatMessage, ExpertPolicy, PolicyContext, RandomPolicy, ReActPolicy } from "../lib/agent/index";

const BURGER = testLayout("synchronous/3_burger@default");
const TASK = resolveTask("burger");

function ctxOf(kitchen: Kitchen, t = 0, extra: Partial<PolicyContext> = {}): PolicyContext {
  return { task: TASK, seed: null, t, observation: kitchen.observation(), validActions: kitchen.validActions(), env: kitchen.clone(), ...extra };
}

/** Breadth-first search: a shortest plan (a stand-in planner for ExpertPolicy's tests). */
function bfsPlan(start: Kitchen): { actions: string[] } {
  const seen = new Map<string, { prev: string | null; action: string | null }>([[start.key(), { prev: null, action: null }]]);
  let frontier = [start];
  while (frontier.length) {
    const next: Kitchen[] = [];
    for (const k of frontier) {
      if (k.isDone()) {
        const actions: string[] = [];
        for (let key: string | null = k.key(); key !== null; ) {
          const e: { prev: string | null; action: string | null } = seen.get(key)!;
          if (e.action !== null) actions.unshift(e.action);
          key = e.prev;
        }
        return { actions };
      }
      for (const a of k.validActions()) {
        const c = k.clone();
        c.step(a);
        if (!seen.has(c.key())) {
          seen.set(c.key(), { prev: k.key(), action: a });
          next.push(c);
        }
      }
    }
    frontier = next;
  }
  return { actions: [] };
}

test("RandomPolicy: valid, deterministic per (seed, task, layout, t), roughly uniform", async (t) => {
  const k = Kitchen.fromLayout(BURGER);
  const p = new RandomPolicy(1);
  const a = await p.act(ctxOf(k, 0));
  t.true(k.validActions().includes(a.action!));
  t.deepEqual(a, await new RandomPolicy(1).act(ctxOf(k, 0)));
  t.like(a, { attempts: 1, invalidReplies: 0 });
  const counts = new Map<string, number>();
  for (let i = 0; i < 4000; i++) {
    const d = await p.act(ctxOf(k, i));
    counts.set(d.action!, (counts.get(d.action!) ?? 0) + 1);
  }
  t.is(counts.size, 4);
  for (const c of counts.values()) t.true(c > 850 && c < 1150, String(c));
  // Different policy seeds give different streams.
  const s1: string[] = [];
  const s2: string[] = [];
  for (let i = 0; i < 20; i++) {
    s1.push((await new RandomPolicy(1).act(ctxOf(k, i))).action!);
    s2.push((await new RandomPolicy(2).act(ctxOf(k, i))).action!);
  }
  t.notDeepEqual(s1, s2);
});

test("ExpertPolicy: follows an optimal plan to the goal in its length, planning once", async (t) => {
  let calls = 0;
  const expert = new ExpertPolicy({ planner: (k) => (calls++, bfsPlan(k as Kitchen).actions) });
  const k = Kitchen.fromLayout(BURGER);
  let steps = 0;
  while (!k.isDone() && steps < 20) {
    const d = await expert.act(ctxOf(k, steps));
    t.true(k.validActions().includes(d.action!));
    t.regex(d.reasoning!, /^The shortest way to the goal from here takes \d+ steps?:/);
    k.step(d.action!);
    steps++;
  }
  t.true(k.isDone());
  t.is(steps, 8);
  t.is(calls, 1);
  t.is(expert.name, "expert");
});

test("ExpertPolicy with lib/expert's planOptimal: 8 steps on the default burger", async (t) => {
  const expert = new ExpertPolicy();
  const k = Kitchen.fromLayout(BURGER);
  let steps = 0;
  while (!k.isDone() && steps < 20) k.step((await expert.act(ctxOf(k, steps++))).action!);
  t.true(k.isDone());
  t.is(steps, 8);
});

test("ReActPolicy: per-episode memory keeps concurrent episodes apart; t = 0 resets", async (t) => {
  const seen: ChatMessage[][] = [];
  const policy = new ReActPolicy(
    async (messages) => {
      seen.push(messages);
      return { content: "Reasoning: r\nAction: Do nothing" };
    },
    { name: "scripted", prompt: { inContextExample: false } },
  );
  const k = Kitchen.fromLayout(BURGER);
  const prevActions = () => seen[seen.length - 1].filter((m) => m.role === "assistant").map((m) => m.content);
  await policy.act(ctxOf(k, 0, { seed: 1 }));
  await policy.act(ctxOf(k, 0, { seed: 2 }));
  t.deepEqual(prevActions(), []);
  await policy.act(ctxOf(k, 1, { seed: 1 }));
  t.deepEqual(prevActions(), ["Previous Reasoning: r\nPrevious Action: Do nothing"]);
  await policy.act(ctxOf(k, 0, { seed: 1 }));
  t.deepEqual(prevActions(), []);
  // historyTurns 0: nothing remembered.
  const none = new ReActPolicy(async (m) => (seen.push(m), { content: "Reasoning: r\nAction: Do nothing" }), { name: "n", prompt: { inContextExample: false, historyTurns: 0 } });
  await none.act(ctxOf(k, 0));
  await none.act(ctxOf(k, 1));
  t.is(seen[seen.length - 1].length, 3);
});

test("ReActPolicy: maxAttempts bounds the replies per step; chat errors propagate", async (t) => {
  let n = 0;
  const p = new ReActPolicy(async () => (n++, { content: "nonsense" }), { name: "x", prompt: { inContextExample: false }, maxAttempts: 2 });
  t.like(await p.act(ctxOf(Kitchen.fromLayout(BURGER))), { action: null, attempts: 2, invalidReplies: 2 });
  t.is(n, 2);
  t.throws(() => new ReActPolicy(async () => ({ content: "" }), { name: "x", maxAttempts: 0 }), { instanceOf: RangeError });
  const failing = new ReActPolicy(
    async () => {
      throw new UserError("cannot reach http://x");
    },
    { name: "x", prompt: { inContextExample: false } },
  );
  await t.throwsAsync(failing.act(ctxOf(Kitchen.fromLayout(BURGER))), { instanceOf: UserError, message: "cannot reach http://x" });
});
