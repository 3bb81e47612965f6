/**
 * The paper's metrics and their intervals against hand-computed values, the protocols and their
 * parsers, and the episode runner's rules with in-process policies (no HTTP): the give-up rule,
 * timeouts, history, the policy contract.
 */
import test from "ava";
import * as path from "node:path";
import type { Policy, PolicyContext, PolicyDecision } from "../lib/agent/index";
import { makeKitchen, resolveTask } from "../lib/kitchen/index";
import { runEpisode } from "../lib/eval/episode";
import { asat, asst, bootstrapMeanInterval, computeMetrics, contractSummary, successRate, wilsonInterval } from "../lib/eval/metrics";
import { optimalWalks } from "./helpers/openaiServer";
import { allTasks, extendedProtocol, paperProtocol, parseSeeds, parseTasks } from "../lib/eval/protocol";
import { extendedSeeds } from "../lib/kitchen/index";

const close = (t: any, a: number, b: number, eps = 5e-5) => t.true(Math.abs(a - b) < eps, `${a} vs ${b}`);

test("Wilson 95% intervals, computed by hand", (t) => {
  // k = 3, n = 10: p = 0.3, z² = 3.841459; centre = (0.3 + z²/20)/(1 + z²/10) = 0.355505,
  // half = z/(1 + z²/10) · sqrt(0.021 + z²/400) = 0.247716 → [0.107789, 0.603221] (the spec's "about [0.11, 0.60]").
  const [lo, hi] = wilsonInterval(3, 10);
  close(t, lo, 0.107789);
  close(t, hi, 0.603221);
  // k = 0: [0, z²/(n + z²)] = [0, 3.841459/13.841459]; k = n mirrors it; the ends are exact.
  const [lo0, hi0] = wilsonInterval(0, 10);
  t.is(lo0, 0);
  close(t, hi0, 3.841459 / 13.841459, 1e-6);
  const [lo10, hi10] = wilsonInterval(10, 10);
  close(t, lo10, 10 / 13.841459, 1e-6);
  t.is(hi10, 1);
  // k = 5, n = 10: symmetric around 0.5.
  const [a, b] = wilsonInterval(5, 10);
  close(t, a + b, 1, 1e-12);
  close(t, a, 0.236593);
  t.deepEqual(wilsonInterval(0, 0), [0, 1]);
});

test("SR, ASAT (failures at the timeout), ASST (successes only, null when none)", (t) => {
  const eps = [
    { success: true, steps: 8, timeout: 15 },
    { success: true, steps: 10, timeout: 15 },
    { success: false, steps: 15, timeout: 15 },
    // A failed episode counts at its timeout whatever its steps say (a give-up after 4 steps).
    { success: false, steps: 4, timeout: 15 },
  ];
  t.is(successRate(eps), 0.5);
  t.is(asat(eps), (8 + 10 + 15 + 15) / 4);
  t.is(asst(eps), 9);
  t.is(asst(eps.slice(2)), null);
  // The identity the paper's Table 1 should satisfy (spec §5): ASAT = SR·ASST + (1 − SR)·timeout.
  t.is(asat(eps), 0.5 * 9 + 0.5 * 15);
  const m = computeMetrics(eps);
  t.like(m, { n: 4, sr: 0.5, asat: 12, asst: 9, sr_ci: wilsonInterval(2, 4) });
  t.deepEqual(Object.keys(contractSummary(m)), ["n", "sr", "asat", "asst", "sr_ci"]);
  t.like(computeMetrics(eps.slice(2)), { sr: 0, asat: 15, asst: null, asst_ci: null, asat_ci: [15, 15] });
});

test("bootstrap intervals: exact on small cases, reproducible, inside the data's range", (t) => {
  // Two values: resampled means are 1, 1.5, 2 with probabilities 1/4, 1/2, 1/4 → 2.5% and 97.5% points 1 and 2.
  t.deepEqual(bootstrapMeanInterval([1, 2], 4000), [1, 2]);
  t.deepEqual(bootstrapMeanInterval([7, 7, 7]), [7, 7]);
  const xs = [8, 9, 9, 10, 12, 15, 15, 15, 8, 11];
  const ci = bootstrapMeanInterval(xs);
  t.deepEqual(bootstrapMeanInterval(xs), ci, "seeded: the same interval every time");
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  t.true(ci[0] < mean && mean < ci[1] && ci[0] >= 8 && ci[1] <= 15);
  t.notDeepEqual(bootstrapMeanInterval(xs, 2000, 2), ci, "another seed, another resampling");
  t.deepEqual(bootstrapMeanInterval([]), [NaN, NaN]);
});

test("protocols: the paper's four tasks and ten seeds; the extended one continues 42·k on all ten tasks", (t) => {
  const p = paperProtocol();
  t.deepEqual(p.tasks.map((x) => [x.id, x.timeout]), [["cheese_sandwich", 15], ["burger", 15], ["cheese_burger", 23], ["double_cheese_burger", 35]]);
  t.deepEqual(p.seeds, [42, 84, 126, 168, 210, 252, 294, 336, 378, 420]);
  const e = extendedProtocol();
  t.is(e.name, "extended-100");
  t.is(e.tasks.length, 10);
  t.deepEqual(e.seeds.slice(0, 10), p.seeds);
  t.is(e.seeds[99], 4200);
  t.deepEqual(allTasks().map((x) => x.timeout), [15, 21, 36, 15, 23, 35, 54, 66, 95, 86]);
  t.throws(() => extendedSeeds(0), { message: /positive integer/ });
});

test("seed and task lists", (t) => {
  t.deepEqual(parseSeeds("42, 84,default,100-102"), [42, 84, null, 100, 101, 102]);
  for (const bad of ["", "1.5", "x", "-3", "3-1", "1,1", "default,default"]) t.throws(() => parseSeeds(bad), undefined, bad);
  t.deepEqual(parseTasks("burger,0_cheese_sandwich").map((x) => x.id), ["burger", "cheese_sandwich"]);
  t.is(parseTasks("all").length, 10);
  t.deepEqual(parseTasks("paper,1_lettuce_sandwich").map((x) => x.id).slice(-2), ["double_cheese_burger", "1_lettuce_sandwich"]);
  t.throws(() => parseTasks("burger,3_burger"), { message: /given twice/ });
  t.throws(() => parseTasks("pizza"), { message: /unknown task/ });
});

/** A policy that plays a fixed list of decisions (null = an exhausted step), recording what it saw. */
class Scripted implements Policy {
  name = "scripted";
  seen: PolicyContext[] = [];
  constructor(private readonly decide: (ctx: PolicyContext, call: number) => string | null) {}
  async act(ctx: PolicyContext): Promise<PolicyDecision> {
    this.seen.push(ctx);
    const action = this.decide(ctx, this.seen.length - 1);
    return action === null
      ? { action: null, attempts: 5, invalidReplies: 5, retries: 1 }
      : { action, attempts: 1, invalidReplies: 0, reasoning: `r${ctx.t}` };
  }
}

const BURGER = resolveTask("burger");
const PLAN = optimalWalks(path.join(__dirname, "..", "data", "testdata", "optimal_walks.jsonl")).plans.get("synchronous/3_burger@default")!;

test("the give-up rule: 3 exhausted steps in an episode (not necessarily in a row) end it; they take no step", async (t) => {
  // Exhaust at calls 0, 2 and 4: the agent took 2 steps in between and gives up.
  const p = new Scripted((ctx, call) => (call % 2 === 0 ? null : PLAN[ctx.t]));
  const { record } = await runEpisode(p, BURGER, null, { run: "r", model: "m" });
  t.like(record, { success: false, steps: 15, steps_taken: 2, exhaustions: 3, gave_up: true, attempts: 17, invalid_replies: 15, retries: 3 });
  t.deepEqual(p.seen.map((c) => c.t), [0, 0, 1, 1, 2]);
  // Two exhaustions only: the episode goes on and succeeds.
  const q = new Scripted((ctx, call) => (call < 2 ? null : PLAN[ctx.t]));
  const r2 = await runEpisode(q, BURGER, null, { run: "r", model: "m" });
  t.like(r2.record, { success: true, steps: 8, exhaustions: 2, gave_up: false, attempts: 18 });
});

test("the runner passes the completed steps as history and a private environment clone; timeouts bound the steps", async (t) => {
  const p = new Scripted((ctx) => {
    ctx.env.step(ctx.validActions[0]); // a policy touching its clone changes nothing
    return PLAN[ctx.t];
  });
  const { record } = await runEpisode(p, BURGER, null, { run: "r", model: "m", trainedOn: "burger", protocol: "paper" });
  t.like(record, { success: true, steps: 8, trained_on: "burger", protocol: "paper", actions: PLAN });
  t.deepEqual(p.seen[3].history!.map((h) => h.action), PLAN.slice(0, 3));
  t.deepEqual(p.seen[3].history!.map((h) => h.reasoning), ["r0", "r1", "r2"]);
  t.is(p.seen[3].history![2].observation, p.seen[2].observation);
  // A shorter budget: the same policy runs out after 5 steps; steps is the timeout.
  const short = await runEpisode(new Scripted((ctx) => PLAN[ctx.t]), BURGER, null, { run: "r", model: "m", timeout: 5 });
  t.like(short.record, { success: false, steps: 5, steps_taken: 5, timeout: 5, gave_up: false });
  // Seeds reach the kitchen: the layout of seed 42 is the one the policy sees.
  const seeded = new Scripted(() => null);
  await runEpisode(seeded, BURGER, 42, { run: "r", model: "m" });
  t.is(seeded.seen[0].observation, makeKitchen("burger", 42).observation());
});

test("a policy that breaks the contract (an action not among the valid ones) is a bug, not a step", async (t) => {
  await t.throwsAsync(runEpisode(new Scripted(() => "Fly"), BURGER, null, { run: "r", model: "m" }), { message: /returned "Fly", which is not a valid action/ });
});
