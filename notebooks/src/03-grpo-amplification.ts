// %% [markdown]
// # 03 — GRPO's success amplification at one state, and what it does to a task
//
// Theorem 3.1 (after Mroueh 2025, arXiv 2503.06639): at one expert state with the binary single-turn
// reward, the exact maximiser of GRPO's objective (eq. 6 without clipping) is a Gibbs tilt of π_ref,
// and the expert action's probability p_n = π_n(a^GT | s) obeys
//
//     logit p_n = logit p_ref + 1 / (β · sqrt(p_{n−1}(1 − p_{n−1}) + ε)),     p_0 = p_ref,
//
// ε = 0 being the paper's form. This notebook iterates it over β ∈ {0.001, 0.01, 0.1, 1, 10},
// p_ref ∈ {0.05, 0.2, 0.5, 0.8} and ε ∈ {0, 1e-4}; finds the fixed points and their stability; compares
// a finite-group GRPO simulation with the population recursion; and plugs the per-state limits into
// Theorem 3.2's product for a multi-step task.
//
// Everything is carried in log-odds. For β = 0.001 (the paper's value) one iteration already puts
// 1 − p near 1e-1085; float64 would call that p = 1 and every later step a silent 1.0. Every
// 1 − p below is a 10-significant-digit string computed from the logit.
//
// Headless: `stgrpo theory recursion --beta B --pref P [--eps E] --json [--all]` and
// `stgrpo theory simulate --beta B --pref P --group-size 2,4,8 --json`.

// %%
import { byProfile, currentProfile } from "./lib/util/profile";
import { notebookProgress, showFigure, showMarkdown } from "./lib/viz/notebook";
import {
  amplificationFigure,
  amplificationTable,
  amplifiedTaskStudy,
  cobwebFigure,
  cobwebRows,
  compositeTable,
  finiteGroupCurve,
  finiteGroupFigure,
  finiteGroupStudy,
  finiteGroupTable,
  groupSizeFigure,
  naiveVsLogOddsTable,
  recursionFigure,
  recursionGrid,
  recursionSummaryTable,
  sandwichMdp,
  singleTurnDataset,
  smallBetaTable,
  tiltVsRecursionTable,
} from "./lib/mdp/index";

const profile = currentProfile();
const config = {
  profile,
  grid: { betas: [0.001, 0.01, 0.1, 1, 10], pRefs: [0.05, 0.2, 0.5, 0.8], epss: [0, 1e-4], iters: byProfile({ ci: 20, cpu: 40, paper: 40 }) },
  // Finite-G GRPO at one state (4 actions, the expert's with p_ref): verl's advantage rule
  // (r − mean)/(std + 1e-6), clip 0.2, exact KL, plain gradient ascent on the logits.
  sim: {
    pRef: 0.2,
    beta: 1,
    groupSizes: byProfile({ ci: [2, 8], cpu: [2, 4, 8, 16, 64], paper: [2, 4, 8, 16, 64] }),
    seeds: byProfile({ ci: 1, cpu: 3, paper: 3 }),
    steps: byProfile({ ci: 400, cpu: 3000, paper: 3000 }),
    groups: 4,
    lr: 0.05,
  },
  curveGroupSizes: byProfile({ ci: [2, 4, 8, 16, 32], cpu: [2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 256], paper: [2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 256] }),
  smallBetaGroupSizes: [2, 4, 8, 16, 64],
};
console.log(config);

// %% [markdown]
// ## Why log-odds
//
// The same recursion in plain float64 probabilities, beside the log-odds form, at the paper's
// β = 0.001 (ε = 1e-4, p_ref = 0.2): after one step float64 holds p = 1 exactly and 1 − p = 0.

// %%
showMarkdown(naiveVsLogOddsTable({ beta: 0.001, pRef: 0.2, eps: 1e-4 }, 4));

// %% [markdown]
// The recursion is the exact GRPO step: iterating the Gibbs tilt π_n ∝ π_ref · exp(A_{n−1}/β) over
// the two outcomes (expert action or not) in log probabilities gives the same logits.

// %%
showMarkdown(tiltVsRecursionTable({ beta: 0.001, pRef: 0.2, eps: 1e-4 }, 3));

// %% [markdown]
// ## p_n over n
//
// The y axis counts the leading nines of p_n. Below β ≈ 0.1 two iterations are enough for hundreds
// to tens of thousands of nines. With ε = 0 there is then no interior fixed point: p_n → 1
// superexponentially and the line stops once the logit passes 1e6 (1 − p < 10^-434294). With ε = 1e-4,
// the standard deviation is floored at √ε = 0.01, so the logit stops at logit p_ref + 1/(β√ε) — 1e5 for
// β = 0.001. At β = 1 the iterates overshoot and oscillate into an interior fixed point well below 1;
// at β = 10 the KL term keeps p* near p_ref.

// %%
const grid = recursionGrid(config.grid);
await showFigure(recursionFigure(grid.rows), "03-recursion-grid");

// %% [markdown]
// Every configuration: p_n > p_ref for all n ≥ 1 (checked in logits, exact far below float64),
// whether the iterates are monotone, where the iteration from p_ref goes, and every interior fixed
// point with its slope h′(p*) (stable when |h′| < 1).

// %%
showMarkdown(recursionSummaryTable(grid.summaries));

// %% [markdown]
// ## Fixed points and stability
//
// h(p) against the diagonal, with the cobweb of the iterates from p_ref. For β = 1, p_ref = 0.05 or
// 0.2 and ε = 0, h has two interior fixed points: a stable one that the iteration reaches after
// oscillating around it (h′ < 0 for p_ref = 0.05), and an unstable one beyond which p_n → 1. ε = 1e-4
// adds a third, stable, fixed point within 1e-42 of 1. For β = 1, p_ref = 0.5 there is no interior
// fixed point at ε = 0. And when h′(p*) < −1, as for β = 2, p_ref = 0.0015, the iterates settle into
// a 2-cycle (≈ 0.0045 ↔ 0.72) with no limit at all (`fixed_point: null` in the CLI).

// %%
await showFigure(
  cobwebFigure(
    cobwebRows([
      { beta: 1, pRef: 0.05, eps: 0 },
      { beta: 1, pRef: 0.2, eps: 0 },
      { beta: 1, pRef: 0.2, eps: 1e-4 },
      { beta: 1, pRef: 0.5, eps: 0 },
      { beta: 10, pRef: 0.5, eps: 0 },
      { beta: 2, pRef: 0.0015, eps: 0 },
    ]),
  ),
  "03-fixed-points",
);

// %% [markdown]
// ## Extension: the paper's composite reward 0.1·format + 0.9·action
//
// The paper trains with three outcome classes per state: a well-formed reply with the expert's action
// (reward 1), a well-formed reply with another action (0.1) and a malformed one (0). The tilt still
// has a closed form. With π_ref(a*) = 0.2 and half of the rest malformed, the expert action is
// amplified less at small β: its gap to a well-formed wrong reply is 0.9/(βσ) instead of 1/(βσ), so
// 1 − π_n(a*) has about 10% fewer nines. Malformed replies vanish fastest.

// %%
showMarkdown(compositeTable(0.2, 0.5, config.grid.betas, 1e-4, config.grid.iters));

// %% [markdown]
// ## Finite-group GRPO against the population recursion
//
// The recursion is GRPO with infinitely many samples per state. Real GRPO samples G completions per
// prompt and normalises rewards within the group. Here tabular GRPO runs at one state with β = 1 and
// p_ref = 0.2, where the population fixed point is p* = 0.6813. The dashed line is the stationary
// point of the *expected* finite-G dynamics. It has a closed form: a sum over the binomial number of
// correct samples in a group. The simulation settles on it, not on the population fixed point.
// Small groups lose signal: a group whose rewards are all equal has zero advantage, while the KL term
// keeps pulling toward π_ref.

// %%
const study = finiteGroupStudy(config.sim, notebookProgress());
await showFigure(finiteGroupFigure(study), "03-finite-group-runs");

// %%
showMarkdown(finiteGroupTable(study));

// %% [markdown]
// How G matters. The stationary point rises with G toward the population fixed point, but slowly.
// Of the population's gain over p_ref, G = 2 keeps under a third, G = 8 about 80%, and G = 64 is
// still 0.012 short.

// %%
await showFigure(groupSizeFigure(finiteGroupCurve(config.sim.pRef, config.sim.beta, config.curveGroupSizes), study), "03-group-size");

// %% [markdown]
// At the paper's β = 0.001 no simulation can resolve 1 − p, but the expected dynamics can. With ε = 0
// the population recursion has no interior fixed point (p_n → 1). A finite group gives one anyway: when
// 1 − p is small, a group has at most one wrong sample, the signal is ≈ (G − 1)/√G · (1 − p), and
// logit p* ≈ logit p_ref + (G − 1)/(√G·β). Finite G acts like ε > 0. The KL estimator matters even
// more. verl's low-variance "k3" estimator (π_ref/π − log(π_ref/π) − 1) has, on-policy, the gradient
// of the *forward* KL(π_ref ‖ π). Its stationary point has 1 − p* of only 1e-4 to 1e-3, where the
// exact KL gives 1e-300 to 1e-3400.

// %%
showMarkdown(smallBetaTable(0.2, 0.001, config.smallBetaGroupSizes));

// %% [markdown]
// ## From states to a task: per-state limits in Theorem 3.2's product
//
// Take the sandwich task of notebook 01, whose π_ref gives the expert action 1/2, 3/5, 1/2, 2/3, 3/4,
// 4/5 at its six expert states (P_0 = 3/50 = 0.06). Single-turn GRPO moves each state to the limit of
// its own recursion. Under uniqueness the task's minimal-step success is the product of those limits.
// For β ≤ 1 (ε = 1e-4) every state goes within 1e-42 of 1, and so does the task. At β = 10 the KL term
// keeps each state near π_ref, and P_0 only rises from 0.060 to 0.093.

// %%
const pRefs = singleTurnDataset(sandwichMdp()).map((d) => d.expectedReward.toNumber());
const amplified = amplifiedTaskStudy(pRefs, config.grid.betas, 1e-4);
await showFigure(amplificationFigure(amplified), "03-task-amplification");

// %%
showMarkdown(amplificationTable(amplified) + "\n\nWith ε = 0 (the paper's form):\n\n" + amplificationTable(amplifiedTaskStudy(pRefs, config.grid.betas, 0)));
