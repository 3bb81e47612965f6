// %% [markdown]
// # 03 — GRPO's success amplification at one state, and what it does to a task
//
// Theorem 3.1 (after Mroueh 2025, arXiv 2503.06639): at one expert state with the binary single-turn
// reward, the exact maximiser of GRPO's objective (eq. 6 without clipping) is a Gibbs tilt of
// $\pi_{\text{ref}}$, and the expert action's probability $p_n = \pi_n(a^{GT} \mid s)$ obeys
//
// $$\operatorname{logit} p_n = \operatorname{logit} p_{\text{ref}} + \frac{1}{\beta \sqrt{p_{n-1}(1 - p_{n-1}) + \varepsilon}}, \qquad p_0 = p_{\text{ref}},$$
//
// $\varepsilon = 0$ being the paper's form. This notebook iterates it over $\beta \in \{0.001, 0.01, 0.1, 1, 10\}$,
// $p_{\text{ref}} \in \{0.05, 0.2, 0.5, 0.8\}$ and $\varepsilon \in \{0, 10^{-4}\}$; finds the fixed points and their stability; compares
// a finite-group GRPO simulation with the population recursion; and plugs the per-state limits into
// Theorem 3.2's product for a multi-step task.
//
// Everything is carried in log-odds. For $\beta = 0.001$ (the paper's value) one iteration already puts
// $1 - p$ near $10^{-1085}$; float64 would call that $p = 1$ and every later step a silent 1.0. Every
// $1 - p$ below is a 10-significant-digit string computed from the logit.
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
// $\beta = 0.001$ ($\varepsilon = 10^{-4}$, $p_{\text{ref}} = 0.2$): after one step float64 holds $p = 1$
// exactly and $1 - p = 0$.

// %%
showMarkdown(naiveVsLogOddsTable({ beta: 0.001, pRef: 0.2, eps: 1e-4 }, 4));

// %% [markdown]
// The recursion is the exact GRPO step: iterating the Gibbs tilt
// $\pi_n \propto \pi_{\text{ref}} \cdot \exp(A_{n-1}/\beta)$ over the two outcomes (expert action or not) in log probabilities gives the same logits.

// %%
showMarkdown(tiltVsRecursionTable({ beta: 0.001, pRef: 0.2, eps: 1e-4 }, 3));

// %% [markdown]
// ## $p_n$ over $n$
//
// The y axis counts the leading nines of $p_n$. Below $\beta \approx 0.1$ two iterations are enough for
// hundreds to tens of thousands of nines. With $\varepsilon = 0$ there is then no interior fixed point:
// $p_n \to 1$ superexponentially and the line stops once the logit passes $10^6$
// ($1 - p < 10^{-434294}$). With $\varepsilon = 10^{-4}$, the standard deviation is floored at
// $\sqrt{\varepsilon} = 0.01$, so the logit stops at $\operatorname{logit} p_{\text{ref}} + 1/(\beta\sqrt{\varepsilon})$
// — $10^5$ for $\beta = 0.001$. At $\beta = 1$ the iterates overshoot and oscillate into an interior
// fixed point well below 1; at $\beta = 10$ the KL term keeps $p^*$ near $p_{\text{ref}}$.

// %%
const grid = recursionGrid(config.grid);
await showFigure(recursionFigure(grid.rows), "03-recursion-grid");

// %% [markdown]
// Every configuration: $p_n > p_{\text{ref}}$ for all $n \ge 1$ (checked in logits, exact far below
// float64), whether the iterates are monotone, where the iteration from $p_{\text{ref}}$ goes, and every
// interior fixed point with its slope $h'(p^*)$ (stable when $|h'| < 1$).

// %%
showMarkdown(recursionSummaryTable(grid.summaries));

// %% [markdown]
// ## Fixed points and stability
//
// $h(p)$ against the diagonal, with the cobweb of the iterates from $p_{\text{ref}}$. For $\beta = 1$,
// $p_{\text{ref}} = 0.05$ or $0.2$ and $\varepsilon = 0$, $h$ has two interior fixed points: a stable one
// that the iteration reaches after oscillating around it ($h' < 0$ for $p_{\text{ref}} = 0.05$), and an
// unstable one beyond which $p_n \to 1$. $\varepsilon = 10^{-4}$ adds a third, stable, fixed point within
// $10^{-42}$ of 1. For $\beta = 1$, $p_{\text{ref}} = 0.5$ there is no interior fixed point at
// $\varepsilon = 0$. And when $h'(p^*) < -1$, as for $\beta = 2$, $p_{\text{ref}} = 0.0015$, the iterates
// settle into a 2-cycle ($\approx 0.0045 \leftrightarrow 0.72$) with no limit at all (`fixed_point: null`
// in the CLI).

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
// ## Extension: the paper's composite reward $0.1 \cdot \text{format} + 0.9 \cdot \text{action}$
//
// The paper trains with three outcome classes per state: a well-formed reply with the expert's action
// (reward 1), a well-formed reply with another action (0.1) and a malformed one (0). The tilt still
// has a closed form. With $\pi_{\text{ref}}(a^*) = 0.2$ and half of the rest malformed, the expert action
// is amplified less at small $\beta$: its gap to a well-formed wrong reply is $0.9/(\beta\sigma)$ instead
// of $1/(\beta\sigma)$, so $1 - \pi_n(a^*)$ has about 10% fewer nines. Malformed replies vanish fastest.

// %%
showMarkdown(compositeTable(0.2, 0.5, config.grid.betas, 1e-4, config.grid.iters));

// %% [markdown]
// ## Finite-group GRPO against the population recursion
//
// The recursion is GRPO with infinitely many samples per state. Real GRPO samples G completions per
// prompt and normalises rewards within the group. Here tabular GRPO runs at one state with $\beta = 1$
// and $p_{\text{ref}} = 0.2$, where the population fixed point is $p^* = 0.6813$. The dashed line is the stationary
// point of the *expected* finite-G dynamics. It has a closed form: a sum over the binomial number of
// correct samples in a group. The simulation settles on it, not on the population fixed point.
// Small groups lose signal: a group whose rewards are all equal has zero advantage, while the KL term
// keeps pulling toward $\pi_{\text{ref}}$.

// %%
const study = finiteGroupStudy(config.sim, notebookProgress());
await showFigure(finiteGroupFigure(study), "03-finite-group-runs");

// %%
showMarkdown(finiteGroupTable(study));

// %% [markdown]
// How $G$ matters. The stationary point rises with $G$ toward the population fixed point, but slowly.
// Of the population's gain over $p_{\text{ref}}$, $G = 2$ keeps under a third, $G = 8$ about 80%, and
// $G = 64$ is still 0.012 short.

// %%
await showFigure(groupSizeFigure(finiteGroupCurve(config.sim.pRef, config.sim.beta, config.curveGroupSizes), study), "03-group-size");

// %% [markdown]
// At the paper's $\beta = 0.001$ no simulation can resolve $1 - p$, but the expected dynamics can. With
// $\varepsilon = 0$ the population recursion has no interior fixed point ($p_n \to 1$). A finite group
// gives one anyway: when $1 - p$ is small, a group has at most one wrong sample, the signal is
// $\approx \frac{G - 1}{\sqrt{G}} (1 - p)$, and
//
// $$\operatorname{logit} p^* \approx \operatorname{logit} p_{\text{ref}} + \frac{G - 1}{\sqrt{G}\,\beta}.$$
//
// Finite $G$ acts like $\varepsilon > 0$. The KL estimator matters even more. verl's low-variance "k3"
// estimator ($\pi_{\text{ref}}/\pi - \log(\pi_{\text{ref}}/\pi) - 1$) has, on-policy, the gradient
// of the *forward* $\mathrm{KL}(\pi_{\text{ref}} \,\|\, \pi)$. Its stationary point has $1 - p^*$ of only
// $10^{-4}$ to $10^{-3}$, where the exact KL gives $10^{-300}$ to $10^{-3400}$.

// %%
showMarkdown(smallBetaTable(0.2, 0.001, config.smallBetaGroupSizes));

// %% [markdown]
// ## From states to a task: per-state limits in Theorem 3.2's product
//
// Take the sandwich task of notebook 01, whose $\pi_{\text{ref}}$ gives the expert action 1/2, 3/5, 1/2,
// 2/3, 3/4, 4/5 at its six expert states ($P_0 = 3/50 = 0.06$). Single-turn GRPO moves each state to the
// limit of its own recursion. Under uniqueness the task's minimal-step success is the product of those
// limits. For $\beta \le 1$ ($\varepsilon = 10^{-4}$) every state goes within $10^{-42}$ of 1, and so does
// the task. At $\beta = 10$ the KL term keeps each state near $\pi_{\text{ref}}$, and $P_0$ only rises
// from 0.060 to 0.093.

// %%
const pRefs = singleTurnDataset(sandwichMdp()).map((d) => d.expectedReward.toNumber());
const amplified = amplifiedTaskStudy(pRefs, config.grid.betas, 1e-4);
await showFigure(amplificationFigure(amplified), "03-task-amplification");

// %%
showMarkdown(amplificationTable(amplified) + "\n\nWith ε = 0 (the paper's form):\n\n" + amplificationTable(amplifiedTaskStudy(pRefs, config.grid.betas, 0)));
