// %% [markdown]
// # 02 — Theorem 3.2: single-turn accuracy multiplies into multi-turn success
//
// The paper's bridge from single-turn training to multi-turn success (§3): with a deterministic
// transition and a *unique* minimal-length success (Def 2.2), the probability of completing the task
// in the minimal number of steps satisfies
//
// $$P_t(s_t) = \mathbb{E}_{a \sim \pi(\cdot \mid s_t)}\big[\, r(s_t, a) \cdot P_{t+1}(f(s_t, a)) \,\big], \qquad r(s, a) = \mathbf{1}\{a = \pi^{GT}(s)\},$$
//
// so $P_0 = \prod_t \pi(a_t^{GT} \mid s_t^{GT})$. We check it three ways in exact rational arithmetic: the
// definition (enumerate every minimal-length successful trajectory), the recursion, and the product.
// Then we break uniqueness, look at every prefix subtask (Corollary 3.2), and test Theorem 3.3's
// monotonicity, including what happens when the per-state improvement fails at one state.
//
// Headless: `stgrpo theory success --mdp FILE [--subtasks] --json`.

// %%
import { byProfile, currentProfile } from "./lib/util/profile";
import { notebookProgress, showFigure, showMarkdown } from "./lib/viz/notebook";
import {
  chainMdp,
  expertStates,
  expertTrajectory,
  improvementExceptOne,
  mdpGraphFigure,
  prefixComparisonTable,
  Rational,
  randomCheckTable,
  randomMdpCheck,
  sandwichMdp,
  shortcutMdp,
  subtaskTable,
  successTable,
  suffixTable,
  sweepFigure,
  expertProbabilitySweep,
  theorem33,
  theorem33Table,
} from "./lib/mdp/index";

const profile = currentProfile();
const config = {
  profile,
  // Random MDPs per population (2–8 states, 1–3 actions); the ava property tests draw ≥ 1000 more.
  randomMdps: byProfile({ ci: 200, cpu: 2000, paper: 2000 }),
  seed: 2025,
  chain: ["1/2", "3/5", "2/3", "3/4", "4/5"],
};
console.log(config);

// %% [markdown]
// ## Three ways on a chain
//
// A chain $s_0 \to \dots \to s_5$ where "forward" is the expert's action and "stay"/"back" waste time. At every
// expert state, the recursion, the enumeration from that state and the suffix product agree exactly.

// %%
const chain = chainMdp(config.chain.map((p) => Rational.parse(p)!));
showMarkdown(suffixTable(chain));

// %% [markdown]
// ## Many random MDPs
//
// Random deterministic MDPs with random rational policies, in two populations: one repaired so that
// every non-expert action strictly lengthens the remaining path (uniqueness holds from every state),
// one unrestricted. Under uniqueness all three agree exactly, every time. Without it, the product
// (and the recursion, which is the same thing unrolled) never exceeds the true success, and falls
// short of it whenever another minimal path has positive probability.

// %%
const checks = randomMdpCheck(config.randomMdps, config.seed, notebookProgress());
showMarkdown(randomCheckTable(checks));

// %% [markdown]
// ## When uniqueness fails
//
// Two minimal-length successes: through $s_1$ (the expert's) and through $s_2$. The product counts the
// second as a failure, although it also finishes in two steps.

// %%
const shortcut = shortcutMdp();
await showFigure(mdpGraphFigure(shortcut, "A shortcut: two minimal-length successes"), "02-shortcut-graph");

// %%
showMarkdown(successTable([{ name: "chain", mdp: chain }, { name: "sandwich (notebook 01)", mdp: sandwichMdp() }, { name: "shortcut", mdp: shortcut }]));

// %% [markdown]
// Worse, the single-turn reward then points the wrong way. Here the shortcut's second step is the
// more reliable one, so moving $\pi(a \mid s_0)$ toward the expert's action — what the single-turn reward
// rewards — *lowers* the true $P_0$, while the product keeps promising a gain. On the chain, where the
// success is unique, the two lines coincide.

// %%
const ps = Array.from({ length: 11 }, (_, i) => Rational.of(i, 10));
await showFigure(
  sweepFigure([
    { title: "chain (unique): π(forward | s0)", rows: expertProbabilitySweep(chain, chain.start, ps) },
    { title: "shortcut (not unique): π(a | s0)", rows: expertProbabilitySweep(shortcut, shortcut.start, ps) },
  ]),
  "02-expert-probability-sweep",
);

// %% [markdown]
// ## Corollary 3.2 — every prefix subtask
//
// Subtask $k^*$ (Def 3.3) is done when the agent takes $a_{k^*}$ at $s_{k^*}$, in $k^* + 1$ steps. Its
// minimal-step success is again the product of the first $k^* + 1$ factors, so improving every expert state helps
// every prefix of the task. On the sandwich every prefix is unique; on the shortcut the whole task is
// not, but each prefix subtask is ("take $a$ at $s_1$" is not what the detour through $s_2$ does).

// %%
showMarkdown(subtaskTable(sandwichMdp()) + "\n\n" + subtaskTable(shortcut));

// %% [markdown]
// ## Theorem 3.3 — improving every state improves every state
//
// Under Assumption 3.1 (the single-turn expected reward does not decrease at any state), the
// minimal-step success does not decrease from any state. Here every expert state closes half of its
// gap to 1; the minimal-step success from every state of the sandwich MDP, detours included, goes up.

// %%
const sandwich = sandwichMdp();
showMarkdown(theorem33Table(theorem33(sandwich, (p) => p.add(Rational.of(1).sub(p).div(Rational.of(2))), expertStates(sandwich))));

// %% [markdown]
// ## When the improvement fails at one expert state
//
// The same gain everywhere except at "cheese on bread" ($t = 4$), where $\pi(\text{pick bread})$ is cut
// to a tenth of its value. The prefixes that end before $t = 4$ still improve (Corollary 3.2 needs the
// improvement only on their own states); every prefix through $t = 4$ — and so the task — gets worse,
// because the product has no way to make up one small factor. A milder loss there ($\times\, 9/10$) is
// outweighed by the gains elsewhere.

// %%
const s4 = expertTrajectory(sandwich).states[4];
const harsh = improvementExceptOne(sandwich, s4, Rational.of(1, 2), Rational.of(1, 10));
const mild = improvementExceptOne(sandwich, s4, Rational.of(1, 2), Rational.of(9, 10));
showMarkdown(prefixComparisonTable(sandwich, harsh) + "\n\n" + successTable([{ name: "π_ref", mdp: sandwich }, { name: "improved, t = 4 × 1/10", mdp: harsh }, { name: "improved, t = 4 × 9/10", mdp: mild }]));
