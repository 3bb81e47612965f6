/**
 * lib/mdp exact success (Theorem 3.2, Corollary 3.2, Theorem 3.3) on hand-made MDPs and, as
 * properties, on ≥ 1000 random finite deterministic MDPs each, in exact rational arithmetic.
 */
import test from "ava";
import fc from "fast-check";
import { Rng } from "../lib/util/rng";
import { UserError } from "../lib/util/errors";
import { Rational, ONE, ZERO } from "../lib/mdp/rational";
import { expertTrajectory, minimalSteps, parseMdp, toMdpJson, MdpJson } from "../lib/mdp/mdp";
import { chainMdp, randomMdp, sandwichMdp, sandwichMdpJson, shortcutMdp } from "../lib/mdp/examples";
import {
  enumerateMinimalSuccess,
  expertIsUnique,
  minimalSuccessEverywhere,
  productSuccess,
  recursionSuccess,
  subtaskSuccesses,
  successReport,
  successReportJson,
  withExpertProbability,
} from "../lib/mdp/success";
import { expertProbabilitySweep, theorem33 } from "../lib/mdp/theorems";

const R = (n: number, d = 1) => Rational.of(n, d);

test("Rational: normalised, exact arithmetic, parse and float conversion", (t) => {
  t.is(R(6, -4).toString(), "-3/2");
  t.true(R(1, 3).add(R(1, 6)).equals(R(1, 2)));
  t.true(R(2, 3).mul(R(9, 4)).equals(R(3, 2)));
  t.true(R(1, 2).div(R(1, 4)).equals(R(2)));
  t.is(R(1, 3).cmp(R(1, 2)), -1);
  t.is(Rational.parse(" 3 / 12 ")!.toString(), "1/4");
  t.is(Rational.parse("0.125")!.toString(), "1/8");
  t.is(Rational.parse("1")!.toString(), "1/1");
  t.is(Rational.parse("1/0"), null);
  t.is(Rational.parse("abc"), null);
  t.is(Rational.fromNumber(0.1).toNumber(), 0.1);
  t.is(Rational.fromNumber(0.1).den, 2n ** 55n);
  // Huge numerators and denominators still convert (no Infinity/Infinity).
  const tiny = R(1).div(Rational.of(10n ** 400n));
  t.is(tiny.toNumber(), 0);
  t.is(Rational.of(10n ** 400n + 1n, 10n ** 400n).toNumber(), 1);
  t.throws(() => R(1).div(ZERO), { instanceOf: RangeError });
});

test("minimal steps by BFS and the expert trajectory of the sandwich MDP", (t) => {
  const m = sandwichMdp();
  const d = minimalSteps(m);
  const at = (s: string) => d[m.states.indexOf(s)];
  t.is(at("empty table"), 6);
  t.is(at("sandwich"), 0);
  t.is(at("holding cheese first"), 7); // put back, then the 6 expert steps
  t.is(at("bread on bread"), 6); // pick bread, put back, then 4 expert steps from bread on table
  const traj = expertTrajectory(m);
  t.deepEqual(traj.actions.map((a) => m.actions[a]), ["pick bread", "place", "pick cheese", "place", "pick bread", "place"]);
  t.deepEqual(successReportJson(m), { minimal_steps: 6, enumeration: "3/50", recursion: "3/50", product: "3/50", unique: true });
});

test("Theorem 3.2 on a chain: P_t = Π_{u ≥ t} π(a_u|s_u) at every expert state", (t) => {
  const ps = [R(1, 2), R(2, 3), R(3, 4), R(4, 5)];
  const m = chainMdp(ps);
  const P = recursionSuccess(m);
  t.deepEqual(P.map(String), ["1/5", "2/5", "3/5", "4/5", "1/1"]);
  const traj = expertTrajectory(m);
  traj.states.slice(0, -1).forEach((s, i) => t.true(enumerateMinimalSuccess(m, s).probability.equals(P[i])));
});

test("without uniqueness the product undercounts: the shortcut MDP", (t) => {
  const m = shortcutMdp();
  const r = successReport(m);
  t.false(r.unique);
  t.is(r.product.toString(), "1/4"); // 1/2 · 1/2
  t.is(r.enumeration.toString(), "19/36"); // + 1/3 · 5/6 through s2
  t.true(r.recursion.equals(r.product));
  t.false(expertIsUnique(m));
  const en = enumerateMinimalSuccess(m, m.start);
  t.is(en.count, 2);
  t.deepEqual(en.trajectories.map((tr) => tr.map((a) => m.actions[a]).join(",")), ["a,a", "b,a"]);
  // Raising the expert probability at s0 takes mass from the shortcut: the true P_0 can fall.
  const sweep = expertProbabilitySweep(m, m.start, [R(0), R(1, 2), R(1)]).filter((r) => r.series === "enumeration");
  t.true(sweep[2].value < sweep[0].value);
});

test("subtasks (Def 3.3): every prefix's enumeration, recursion and product agree on the sandwich", (t) => {
  const subs = subtaskSuccesses(sandwichMdp());
  t.is(subs.length, 6);
  t.deepEqual(subs.map((s) => s.enumeration.toString()), ["1/2", "3/10", "3/20", "1/10", "3/40", "3/50"]);
  for (const s of subs) {
    t.true(s.unique);
    t.true(s.enumeration.equals(s.product) && s.product.equals(s.recursion));
  }
});

test("parseMdp: every malformed field is a one-line UserError naming it", (t) => {
  const base = () => JSON.parse(JSON.stringify(sandwichMdpJson())) as MdpJson;
  const bad: [string, (j: any) => void, RegExp][] = [
    ["not an object", () => undefined, /JSON object/],
    ["unknown start", (j) => (j.start = "kitchen"), /start: "kitchen" is not one of the states/],
    ["duplicate state", (j) => j.states.push("sandwich"), /states: "sandwich" appears twice/],
    ["unknown action", (j) => (j.transitions["empty table"].fly = "sandwich"), /transitions.empty table: "fly" is not one of the actions/],
    ["unknown target", (j) => (j.transitions["empty table"].wait = "moon"), /transitions.empty table.wait: "moon"/],
    ["bad probability", (j) => (j.policy["empty table"].wait = "1/0"), /policy.empty table.wait: expected a probability/],
    ["sum ≠ 1", (j) => (j.policy["empty table"].wait = "1/3"), /policy.empty table: probabilities sum to 13\/12, not 1/],
    ["mass on unavailable action", (j) => (j.policy["cheese on bread"].place = "0.1"), /not available in state cheese on bread/],
    ["missing policy", (j) => delete j.policy["holding bread"], /policy.holding bread: missing/],
    ["expert unavailable", (j) => (j.expert["empty table"] = "place"), /expert.empty table: action place is not available/],
  ];
  for (const [what, edit, message] of bad) {
    const j = base();
    const input = what === "not an object" ? 42 : (edit(j), j);
    const e = t.throws(() => parseMdp(input), { instanceOf: UserError }, what);
    t.regex(e!.message, message, what);
    t.false(e!.message.includes("\n"), what);
  }
  // Def 2.2 violations surface when the trajectory is asked for.
  const j = base();
  delete (j.expert as any)["holding cheese"];
  t.throws(() => successReport(parseMdp(j)), { instanceOf: UserError, message: /no expert action given for state holding cheese/ });
  const k = base();
  k.expert["bread on table"] = "pick bread";
  k.expert["holding bread early"] = "put back";
  t.throws(() => successReport(parseMdp(k)), { instanceOf: UserError, message: /longer than the minimal 6 steps/ });
  const u = base();
  u.transitions["holding top bread"].place = "holding top bread";
  t.throws(() => successReport(parseMdp(u)), { instanceOf: UserError, message: /no goal state is reachable/ });
});

test("toMdpJson round-trips through parseMdp", (t) => {
  for (const m of [sandwichMdp(), shortcutMdp(), randomMdp(new Rng(3), { states: 6, actions: 3 })]) {
    const back = parseMdp(JSON.parse(JSON.stringify(toMdpJson(m))));
    t.deepEqual(back.next, m.next);
    t.deepEqual(back.expert, m.expert);
    t.deepEqual(back.policy.map((r) => r.map(String)), m.policy.map((r) => r.map(String)));
  }
});

// ---- properties over random MDPs (fast-check draws the sizes and the generator seed) ----

const sizes = fc.record({ seed: fc.integer({ min: 0, max: 0x7fffffff }), states: fc.integer({ min: 2, max: 8 }), actions: fc.integer({ min: 1, max: 3 }) });
const RUNS = { numRuns: 1000 };

test("property: enumeration = recursion = product whenever the minimal success is unique (≥ 1000 MDPs)", (t) => {
  let unique = 0;
  fc.assert(
    fc.property(sizes, fc.boolean(), ({ seed, states, actions }, repair) => {
      const m = randomMdp(new Rng(seed), { states, actions, unique: repair });
      const r = successReport(m);
      if (repair && !r.unique) return false;
      if (r.unique) unique++;
      // The structural test of the proof and the trajectory count agree.
      if (expertIsUnique(m) !== r.unique) return false;
      return !r.unique || (r.enumeration.equals(r.recursion) && r.recursion.equals(r.product));
    }),
    RUNS,
  );
  t.true(unique >= 500, `only ${unique} unique MDPs drawn`);
});

test("property: product = recursion ≤ enumeration always, strictly less for some non-unique MDPs (≥ 1000 MDPs)", (t) => {
  let strict = 0;
  fc.assert(
    fc.property(sizes, ({ seed, states, actions }) => {
      const m = randomMdp(new Rng(seed), { states, actions });
      const r = successReport(m);
      if (r.product.cmp(r.enumeration) < 0) strict++;
      return r.product.equals(r.recursion) && r.product.cmp(r.enumeration) <= 0 && r.enumeration.cmp(ONE) <= 0;
    }),
    RUNS,
  );
  t.true(strict > 0);
});

test("property: raising any per-state expert probability never lowers P_0 (≥ 1000 MDPs)", (t) => {
  fc.assert(
    fc.property(sizes, fc.nat(), fc.integer({ min: 0, max: 16 }), ({ seed, states, actions }, pick, up) => {
      const m = randomMdp(new Rng(seed), { states, actions, unique: true });
      const experts = m.expert.map((a, s) => (a >= 0 ? s : -1)).filter((s) => s >= 0);
      const s = experts[pick % experts.length];
      const old = m.policy[s][m.expert[s]];
      const others = m.next[s].filter((x) => x >= 0).length - 1;
      const raised = others === 0 ? ONE : old.add(ONE.sub(old).mul(R(up, 16)));
      const mm = withExpertProbability(m, s, raised);
      const before = successReport(m);
      const after = successReport(mm);
      return after.enumeration.cmp(before.enumeration) >= 0 && after.product.cmp(before.product) >= 0 && after.unique;
    }),
    RUNS,
  );
  t.pass();
});

test("property: Corollary 3.2 — on every prefix subtask the three agree under uniqueness, and success shrinks with k (≥ 1000 MDPs)", (t) => {
  fc.assert(
    fc.property(sizes, ({ seed, states, actions }) => {
      const m = randomMdp(new Rng(seed), { states, actions, unique: true });
      const subs = subtaskSuccesses(m);
      return subs.every((s, k) => s.unique && s.enumeration.equals(s.product) && s.recursion.equals(s.product) && (k === 0 || s.product.cmp(subs[k - 1].product) <= 0));
    }),
    RUNS,
  );
  t.pass();
});

test("property: Theorem 3.3 — improving every expert state raises the minimal-step success from every state (≥ 1000 MDPs)", (t) => {
  fc.assert(
    fc.property(sizes, fc.integer({ min: 1, max: 8 }), ({ seed, states, actions }, k) => {
      const m = randomMdp(new Rng(seed), { states, actions, unique: true });
      // Close a fraction k/8 of the gap to 1 at every state (Assumption 3.1 at all states).
      const rows = theorem33(m, (p) => p.add(ONE.sub(p).mul(R(k, 8))));
      return rows.every((r) => r.improved);
    }),
    RUNS,
  );
  t.pass();
});

test("Theorem 3.3 needs the improvement everywhere: lowering one expert state lowers P_0 and only the prefixes through it", (t) => {
  const m = sandwichMdp();
  const s3 = expertTrajectory(m).states[3];
  const lowered = withExpertProbability(m, s3, R(1, 3)); // was 2/3
  t.is(successReport(lowered).product.toString(), "3/100");
  const before = subtaskSuccesses(m).map((s) => s.product);
  const after = subtaskSuccesses(lowered).map((s) => s.product);
  after.forEach((p, k) => t.is(p.cmp(before[k]), k < 3 ? 0 : -1));
  // Every other state improved, s3 worse: P_0 can still fall.
  const rows = theorem33(m, (p) => (p.equals(R(2, 3)) ? R(1, 3) : p.add(ONE.sub(p).mul(R(1, 10)))));
  t.false(rows.find((r) => r.state === "empty table")!.improved);
  t.true(minimalSuccessEverywhere(m).every((x) => x.unique));
});

test("productSuccess of a prefix equals the subtask's product", (t) => {
  const m = chainMdp([R(1, 2), R(1, 3), R(1, 4)]);
  t.is(productSuccess(m, expertTrajectory(m), 1).toString(), "1/6");
});
