// %% [markdown]
// # 01 — The paper's definitions (§2) on a small MDP
//
// Hu et al. (arXiv 2509.20616) model multi-turn task planning as a finite-horizon MDP with a sparse
// reward, and then replace it by a *single-turn* problem on the expert's states. This notebook makes
// each definition of §2 an object you can inspect, on a kitchen task small enough to draw: making a
// cheese sandwich with one robot hand. All probabilities are exact rationals (`lib/mdp/rational.ts`);
// nothing here is estimated except where a cell says "sampled".
//
// Headless: `stgrpo theory success --mdp FILE --json` gives this notebook's numbers for any MDP file
// (the MDP below, as JSON, is `sandwichMdpJson()` in `lib/mdp/examples.ts`).

// %%
import { currentProfile } from "./lib/util/profile";
import { showFigure, showMarkdown } from "./lib/viz/notebook";
import {
  enumerateMinimalSuccess,
  expertTrajectory,
  expertVariants,
  mdpGraphFigure,
  mdpTable,
  remark21Table,
  sampleRollouts,
  sandwichMdp,
  singleTurnTable,
  threeWaysTable,
  trajectoryTable,
} from "./lib/mdp/index";

const profile = currentProfile();
// The only sampled quantity here is cheap; the profile changes nothing but the figure directory.
const config = { profile, mdp: "sandwichMdp()", rolloutSeed: 0, rollouts: 2000, horizon: 60 };
console.log(config);

// %% [markdown]
// ## The multi-turn MDP $\mathcal{M} = (\mathcal{S}, \mathcal{A}, f, R, T, s_0)$
//
// States are what the agent sees; actions are what it may say; the transition $f(s, a)$ is deterministic
// but unknown to the agent; the reward $R$ is 1 exactly when the task is complete (the sandwich stands),
// and the episode then ends. $T^*(s)$ (Def 3.1) is the fewest further steps to the goal, by BFS. The policy
// below is an untrained $\pi_{\text{ref}}$: it prefers the right action only mildly.

// %%
const m = sandwichMdp();
showMarkdown(mdpTable(m));

// %% [markdown]
// The state graph. Columns are the distance from $s_0$, the expert trajectory $\tau^{GT}$ runs along the
// top in orange, and every edge carries "action $\pi(a \mid s)$". Detours (picking the cheese first, taking the second
// bread too early) lead to the states below; "wait" is a self-loop (↻).

// %%
await showFigure(mdpGraphFigure(m, "Make a cheese sandwich: the state graph"), "01-sandwich-graph");

// %% [markdown]
// ## Def 2.1 — a successful trajectory
//
// A rollout $s_{t+1} = f(s_t, a_t)$, $a_t \sim \pi(\cdot \mid s_t)$, that ends with $R = 1$. Here is
// the first successful one of a seeded sample; it is usually longer than necessary.

// %%
const sample = sampleRollouts(m, config.rolloutSeed, config.horizon, config.rollouts);
showMarkdown(trajectoryTable(m, sample.firstSuccess!));

// %% [markdown]
// ## Def 2.2 — the expert trajectory
//
// A successful trajectory of minimal length $T^{GT}$ such that every other successful trajectory is
// strictly longer. Enumerating every trajectory that reaches the goal in $T^*(s_0)$ steps finds exactly one
// here, so the expert trajectory exists and is unique.

// %%
const minimal = enumerateMinimalSuccess(m);
const tau = expertTrajectory(m);
showMarkdown(trajectoryTable(m, tau) + `\n\nT*(s0) = ${minimal.steps}; minimal-length successful trajectories: ${minimal.count}.`);

// %% [markdown]
// ## Def 2.3 and Remark 2.1 — the expert policy is not unique off the trajectory
//
// An expert policy is any $\pi^{GT}$ with $\pi^{GT}(s_t^{GT}) = a_t^{GT}$ on $\tau^{GT}$. The MDP file
// gives it on $\tau^{GT}$ only; at the three detour states anything goes. Below: how many deterministic expert policies agree with
// $\tau^{GT}$, and two of them — one that takes a shortest action everywhere, one that differs at every
// free state. They have the same $\tau^{GT}$, hence the same single-turn dataset and the same $P_0$; but Theorem
// 3.2's recursion *from a detour state* is the true minimal-step success only for the first.

// %%
const variants = expertVariants(m);
showMarkdown(`Expert policies consistent with τ^GT: ${variants.count} (free at: ${variants.offTrajectory.join(", ")}).\n\n` + remark21Table(m));

// %% [markdown]
// ## The single-turn MDP $\mathcal{M}_S$ and the reward of Def 2.4
//
// $\mathcal{M}_S = (\mathcal{S}, \mathcal{A}, \varnothing, r, 1, s_0)$ is a bandit over the expert states:
// no transition, horizon 1. Its reward is
//
// $$r(s, a) = \mathbf{1}\{a = \pi^{GT}(s)\}.$$
//
// Under a policy $\pi$ its expected reward at $s_t$ is $\pi(a_t^{GT} \mid s_t)$: exactly
// the factors of Theorem 3.2's product, whose value is the multi-turn minimal-step success $P_0$
// (checked three ways in notebook 02).

// %%
showMarkdown(singleTurnTable(m));

// %% [markdown]
// $P_0$ three ways, and the sampled estimate: the fraction of the rollouts that finished in exactly
// $T^*(s_0)$ steps.

// %%
showMarkdown(threeWaysTable(m, sample));
