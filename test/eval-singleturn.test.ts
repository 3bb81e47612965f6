/**
 * Single-turn accuracy along expert trajectories and Theorem 3.2's product against measured
 * minimal-step success: exact for distribution policies (with Monte Carlo rollouts and Corollary 3.2's
 * prefixes), sampled k times per state for an endpoint (the loopback server), one decision per state
 * for deterministic policies; the trajectory reader's errors; the CLI's --expert-trajectories.
 * The expert trajectories are the recorded optimal plans of data/testdata/optimal_walks.jsonl.
 */
import test from "ava";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EndpointPolicy } from "../lib/agent/index";
import { makeKitchen } from "../lib/kitchen/index";
import { UserError } from "../lib/util/errors";
import { wilsonInterval } from "../lib/eval/metrics";
import { uniformDistribution } from "../lib/agent/index";
import type { EpisodeRecord } from "../lib/eval/episode";
import { decisionAccuracy, singleTurnCheck } from "../lib/eval/singleturn";
import { exactAccuracy, sampledAccuracy } from "../lib/eval/accuracy";
import { expertPathCheck } from "../lib/eval/expert-path";
import { theoremRows } from "../lib/eval/theorem";
import { ExpertTrajectory, readExpertTrajectories } from "../lib/expert/index";
import { ChatRequestRecord, observationOf, optimalWalks, reactReply, startOpenAIServer, validActionsOf } from "./helpers/openaiServer";

const WALKS = optimalWalks(path.join(__dirname, "..", "data", "testdata", "optimal_walks.jsonl"));
const TASKS: [string, string][] = [
  ["cheese_sandwich", "synchronous/0_cheese_sandwich@default"],
  ["burger", "synchronous/3_burger@default"],
  ["cheese_burger", "synchronous/4_cheeseburger@default"],
  ["double_cheese_burger", "synchronous/5_double_cheeseburger@default"],
];

/** The recorded optimal plans as expert trajectory records (docs/design.md) (what lib/expert writes). */
function trajectories(): ExpertTrajectory[] {
  return TASKS.map(([task, layout]) => {
    const k = makeKitchen(task, null);
    const steps = WALKS.plans.get(layout)!.map((action, t) => {
      const s = { observation: k.observation(), valid_actions: k.validActions(), action, reasoning: `step ${t} of the plan` };
      k.step(action);
      return s;
    });
    return { task, seed: null, steps, length: steps.length, optimal: true };
  });
}

const TRAJ = trajectories();
const BURGER = TRAJ[1];

/** The recorded expert's action at an observation, or null off its path. */
function expertAt(observation: string): string | null {
  try {
    return WALKS.actionAt(observation);
  } catch {
    return null;
  }
}

/** π: on the expert's path its action with probability q, the rest spread evenly; uniform elsewhere. */
const tilted = (q: number) => (observation: string, valid: readonly string[]) => {
  const a = expertAt(observation);
  if (a === null) return uniformDistribution(observation, valid);
  return Float64Array.from(valid, (v) => (v === a ? q : (1 - q) / (valid.length - 1)));
};

test("exact accuracy: the random policy's p_t is 1/|A(s_t)|, and the product is their product", (t) => {
  const acc = exactAccuracy(uniformDistribution, BURGER);
  t.deepEqual(acc.p, BURGER.steps.map((s) => 1 / s.valid_actions.length));
  t.is(acc.product, BURGER.steps.reduce((a, s) => a / s.valid_actions.length, 1));
  t.true(acc.product < 1e-4);
});

test("Theorem 3.2 by Monte Carlo: the product predicts minimal-step success; prefixes (Corollary 3.2) too", (t) => {
  const check = expertPathCheck(tilted(0.8), makeKitchen("burger", null), BURGER.steps.map((s) => s.action), 20000, { seed: 3 });
  t.is(check.length, 8);
  t.deepEqual(check.pExpert.map((p) => Math.round(p * 1e12) / 1e12), new Array(8).fill(0.8));
  check.product.forEach((p, k) => t.true(Math.abs(p - 0.8 ** (k + 1)) < 1e-12));
  for (let k = 0; k < 8; k++) {
    const se = Math.sqrt((check.product[k] * (1 - check.product[k])) / check.samples);
    // Never below the product (other minimal paths only add), and on the burger within Monte Carlo error of it.
    t.true(check.measured[k] >= check.product[k] - 4 * se, `prefix ${k + 1}: ${check.measured[k]} vs ${check.product[k]}`);
    t.true(check.measured[k] <= check.product[k] + 4 * se + 0.02, `prefix ${k + 1}: ${check.measured[k]} vs ${check.product[k]}`);
  }
  t.deepEqual(expertPathCheck(tilted(0.8), makeKitchen("burger", null), BURGER.steps.map((s) => s.action), 500, { seed: 3 }).measured,
    expertPathCheck(tilted(0.8), makeKitchen("burger", null), BURGER.steps.map((s) => s.action), 500, { seed: 3 }).measured, "seeded");
  // The expert itself: probability 1 at every state, success every time in exactly T steps.
  const sure = expertPathCheck(tilted(1), makeKitchen("burger", null), BURGER.steps.map((s) => s.action), 50);
  t.deepEqual(sure.measured, new Array(8).fill(1));
});

test("the whole check for a distribution policy: per-task rows and prefix rows", async (t) => {
  const r = await singleTurnCheck({ policy: { act: async () => ({ action: null }) }, distribution: tilted(0.9) }, TRAJ.slice(0, 2), {
    rollouts: 4000,
    start: (task, seed) => makeKitchen(task, seed),
  });
  t.is(r.method, "exact");
  t.deepEqual(r.rows.map((x) => [x.task, x.layouts, x.states]), [["cheese_sandwich", 1, 8], ["burger", 1, 8]]);
  t.true(Math.abs(r.rows[1].predicted - 0.9 ** 8) < 1e-12);
  t.true(Math.abs(r.rows[1].accuracy - 0.9) < 1e-12);
  t.is(r.rows[1].predicted_accepted, null);
  t.is(r.rows[1].measured_n, 1);
  t.true(Math.abs(r.rows[1].measured! - 0.9 ** 8) < 0.04);
  t.deepEqual(r.prefixes.filter((p) => p.task === "burger").map((p) => p.k), [1, 2, 3, 4, 5, 6, 7, 8]);
});

test("sampled accuracy from an endpoint: k replies per expert state, with the expert's steps as history", async (t) => {
  // Per observation, requests 0..7 answer: expert, expert, expert, wrong-but-valid, expert, malformed, expert, wrong.
  const count = new Map<string, number>();
  const server = await startOpenAIServer({
    script: (req: ChatRequestRecord) => {
      const obs = observationOf(req);
      const i = count.get(obs) ?? 0;
      count.set(obs, i + 1);
      const expert = WALKS.actionAt(obs);
      const wrong = validActionsOf(obs).find((a) => a !== expert)!;
      return { reply: i === 5 ? "I do not know." : reactReply(i % 4 === 3 ? wrong : expert) };
    },
  });
  t.teardown(() => server.close());
  const policy = new EndpointPolicy({ endpoint: server.url, model: "test-model", token: "", prompt: { inContextExample: false }, seed: 11 });
  const acc = await sampledAccuracy({ chat: (m, i) => policy.client.complete(m, i), prompt: policy.prompt }, BURGER, 8);
  t.is(server.requests.length, 64);
  t.deepEqual(acc.p, new Array(8).fill(5 / 8));
  t.deepEqual(acc.format, new Array(8).fill(7 / 8));
  t.deepEqual(acc.pAccepted, new Array(8).fill(5 / 7));
  t.true(Math.abs(acc.product - (5 / 8) ** 8) < 1e-15);
  t.true(Math.abs(acc.productAccepted! - (5 / 7) ** 8) < 1e-15);
  // The request at state 3 shows the expert's step 2 as the previous step, and ends with s_3's observation.
  const at3 = server.requests.find((q) => observationOf(q) === BURGER.steps[3].observation)!;
  t.true(at3.messages.some((m) => m.role === "assistant" && m.content === `Previous Reasoning: step 2 of the plan\nPrevious Action: ${BURGER.steps[2].action}`));
  t.is(at3.messages[at3.messages.length - 1].content, BURGER.steps[3].observation);
  // A sampling seed gives each of the k samples of a state its own request seed.
  const seeds = server.requests.filter((q) => observationOf(q) === BURGER.steps[0].observation).map((q) => q.body.seed);
  t.is(new Set(seeds).size, 8);

  // Predictor vs measurement: one episode per layout, a minimal-step success counts 1.
  const episode = (steps: number, success: boolean) => ({ task: "burger", seed: null, success, steps }) as EpisodeRecord;
  const rows = theoremRows([acc, { ...acc }], [1, 0]);
  t.like(rows[0], { task: "burger", layouts: 2, states: 16, accuracy: 5 / 8, predicted: acc.product, predicted_accepted: acc.productAccepted, measured: 0.5, measured_n: 2 });
  t.deepEqual(rows[0].measured_ci, wilsonInterval(1, 2));
  const viaEpisodes = await singleTurnCheck(
    { policy, chatModel: { chat: (m, i) => policy.client.complete(m, i), prompt: policy.prompt } },
    [BURGER],
    { samples: 2, episodes: [episode(9, true)], start: (task, seed) => makeKitchen(task, seed) },
  );
  t.like(viaEpisodes.rows[0], { measured: 0, measured_n: 1 }, "a success in 9 steps is not a minimal-step success");
  t.is(viaEpisodes.method, "sampled");
});

test("decision accuracy of a deterministic policy: p_t ∈ {0, 1}", async (t) => {
  const follower = { act: async (ctx: any) => ({ action: WALKS.actionAt(ctx.observation) }) };
  t.deepEqual((await decisionAccuracy(follower, BURGER, makeKitchen("burger", null))).p, new Array(8).fill(1));
  const slip = { act: async (ctx: any) => ({ action: ctx.t === 3 ? ctx.validActions[0] : WALKS.actionAt(ctx.observation) }) };
  const acc = await decisionAccuracy(slip, BURGER, makeKitchen("burger", null));
  t.is(acc.product, 0);
  t.deepEqual(acc.p, [1, 1, 1, 0, 1, 1, 1, 1]);
});

test("expert trajectory files: the format is checked with one-line errors", (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-traj-"));
  const write = (name: string, recs: unknown[]) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, recs.map((r) => JSON.stringify(r)).join("\n") + "\n");
    return f;
  };
  const ok = write("ok.jsonl", [{ ...BURGER, task: "3_burger" }]);
  t.is(readExpertTrajectories(ok)[0].task, "burger", "stems are canonicalised");
  const bad: [unknown, RegExp][] = [
    [{ ...BURGER, steps: [] }, /"steps" must be a non-empty array/],
    [{ ...BURGER, task: "pizza" }, /unknown task "pizza"/],
    [{ ...BURGER, length: 3 }, /"length" 3 differs from the 8 steps/],
    [{ ...BURGER, steps: [{ ...BURGER.steps[0], action: "Fly" }] }, /step 0: action "Fly" is not among its valid actions/],
    [{ ...BURGER, seed: "x" }, /"seed" must be an integer or null/],
  ];
  for (const [rec, re] of bad) {
    const e = t.throws(() => readExpertTrajectories(write("bad.jsonl", [rec])), { instanceOf: UserError });
    t.regex(e!.message, re);
    t.false(e!.message.includes("\n"));
  }
  t.throws(() => readExpertTrajectories(path.join(dir, "none.jsonl")), { message: /do not exist/ });
});

test("stgrpo eval --expert-trajectories: the Theorem 3.2 table beside the metrics, and in --summary", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-evalst-"));
  const traj = path.join(dir, "traj.jsonl");
  fs.writeFileSync(traj, TRAJ.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const summary = path.join(dir, "summary.json");
  const args = ["eval", "--policy", "random", "--tasks", "burger", "--seeds", "default", "--out", path.join(dir, "e.jsonl"), "--expert-trajectories", traj, "--rollouts", "100", "--summary", summary, "--quiet"];
  const run = (argv: string[]) =>
    new Promise<string>((resolve) => {
      const c = spawn(process.execPath, [path.join(__dirname, "..", "bin", "stgrpo"), ...argv]);
      let s = "";
      c.stdout.on("data", (d) => (s += d));
      c.on("close", () => resolve(s));
    });
  const stdout = await run(args);
  t.true(stdout.includes("single-turn accuracy along 1 expert trajectories (exact):"), stdout);
  t.true(stdout.includes("| task | layouts | states | single-turn acc. | predicted Π p_t | measured minimal-step SR [95% Wilson] |"), stdout);
  const s = JSON.parse(fs.readFileSync(summary, "utf8"));
  t.is(s.single_turn.method, "exact");
  t.is(s.single_turn.rows[0].task, "burger");
  t.is(s.single_turn.trajectories[0].product, exactAccuracy(uniformDistribution, BURGER).product);

  // A trajectory file that does not exist yet: lib/expert's planner writes the evaluated layouts' ones.
  const made = path.join(dir, "made.jsonl");
  const i = args.indexOf(traj);
  await run([...args.slice(0, i), made, ...args.slice(i + 1)]);
  const [written] = readExpertTrajectories(made);
  t.like(written, { task: "burger", seed: null, length: 8, optimal: true });
  t.deepEqual(written.steps.map((x) => x.action), BURGER.steps.map((x) => x.action), "the planner's plan is the recorded optimal walk");
});
