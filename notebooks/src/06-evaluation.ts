// %% [markdown]
// # 06 — Evaluation: the paper's multi-turn protocol, with honest uncertainty
//
// Tables 1–4 of the paper are multi-turn evaluations of ReAct agents in Robotouille's synchronous
// kitchen. The protocol, as implemented in `lib/eval` (and headless as `stgrpo eval`):
//
// - **Tasks and layouts.** The four tasks (Cheese Sandwich, Burger, Cheese Burger, Double Cheese
//   Burger) on Robotouille's ten evaluation seeds 42, 84, …, 420. The *extended* protocol keeps the
//   rules and adds seeds $42k$, $k \le N$ (the expert's training layouts avoid all of them).
// - **An episode.** At each state the policy picks one valid action, until the goal holds (success) or
//   the timeout (15, 15, 23, 35 steps) runs out.
// - **Retries are not steps.** A malformed reply or an invalid action is re-prompted with error
//   feedback, up to 5 replies per step. A step with 5 rejected replies takes no action; after 3 such
//   steps the agent gives up and the episode fails (Robotouille's rules).
// - **Metrics.** SR = fraction of successes; ASAT = mean steps with a failure counted at the timeout;
//   ASST = mean steps of successes ("—" when none). With 10 episodes per cell, SR carries a wide 95%
//   Wilson interval (0.3 → [0.11, 0.60]); ASAT and ASST get seeded bootstrap intervals.
// - **Files.** Every episode is appended to `results/<profile>/eval/<protocol>/<model>.jsonl` as it
//   finishes. Rerunning the notebook (or `stgrpo eval`) resumes and never counts an episode twice.
//
// Headless, each section is one command, e.g.
// `stgrpo eval --policy expert --out results/cpu/eval/paper/expert.jsonl` and
// `stgrpo eval --policy random --protocol extended --tasks paper --seeds-per-task 100 --out results/cpu/eval/extended/random.jsonl`.

// %%
import { currentProfile } from "./lib/util/profile";
import { notebookProgress, showFigure, showMarkdown } from "./lib/viz/notebook";
import { expertTrajectory } from "./lib/expert/index";
import { checkpointsMarkdown, metricsMarkdown, noEndpointMessage, theoremMarkdown } from "./lib/eval/format";
import { metricsFigure, prefixFigure, theoremFigure } from "./lib/eval/figures";
import {
  describeConfig,
  evalStudyConfig,
  evaluateBaselines,
  evaluateSpec,
  evaluationTrajectories,
  learnedResults,
  prefixRowsOf,
  requireEndpointOrGpu,
  rowsOf,
  theoremRowsOf,
  theoremStudy,
} from "./lib/workflows/evaluation";
import { paperModelsSection } from "./lib/workflows/served-models";

const profile = currentProfile();
requireEndpointOrGpu(profile); // the paper profile evaluates served models: no endpoint and no GPU → stop here
const cfg = evalStudyConfig(profile);
console.log(JSON.stringify(describeConfig(cfg), null, 2));

// %% [markdown]
// ## The paper protocol: the expert and the random policy
//
// The expert is lib/expert's optimal planner (the first action of a shortest plan from the current
// state). It is the ceiling: every layout is solvable within its timeout, so its SR is 1 and its steps
// are the optimal lengths — often above the paper's per-task "at most N steps", because seeded
// layouts are bigger kitchens than the default ones (notebook 04). The random policy picks uniformly
// among the valid actions: the floor.

// %%
const paper = await evaluateBaselines(cfg.paper, cfg.dir, { progress: notebookProgress() });
showMarkdown(metricsMarkdown(rowsOf(paper)));

// %%
await showFigure(metricsFigure(rowsOf(paper), `Paper protocol (${cfg.paper.seeds.length} layouts per task), profile ${profile}`), "06-paper-protocol");

// %% [markdown]
// ## The extended protocol: the same rules on more layouts
//
// Ten layouts per task can say little. The extended protocol adds seeds $42k$ (its first ten are the
// paper's), and the intervals shrink as $1/\sqrt{n}$. The expert stays at SR 1; the spread of its ASST is the
// spread of the layouts' optimal lengths.

// %%
const extended = await evaluateBaselines(cfg.extended, cfg.dir, { progress: notebookProgress() });
showMarkdown(metricsMarkdown(rowsOf(extended)));

// %%
await showFigure(metricsFigure(rowsOf(extended), `Extended protocol (${cfg.extended.seeds.length} layouts per task), profile ${profile}`), "06-extended-protocol");

// %% [markdown]
// ## The CPU learners (notebook 05)
//
// Notebook 05 (`stgrpo study`) trains the CPU learners under `results/<profile>/learn/` and evaluates
// every one of them with this same protocol and code, into `results/<profile>/eval/<protocol>/<task>/`.
// Here we load what exists — nothing is evaluated twice — and show each recipe on its own training
// task, its training seeds pooled (the pooled Wilson interval ignores the seed-to-seed spread;
// notebook 07 gives the across-seed interval and the cross-task Tables 2–4). Names follow the paper:
// `sft`, `sft+grpo`, `multiturn-grpo`; decoding samples $\pi$ at temperature 1, as the theory assumes.

// %%
const learned = learnedResults(cfg, cfg.paper);
showMarkdown(checkpointsMarkdown(learned, cfg.learnDir));

// %% [markdown]
// ## An endpoint named by the environment
//
// `STGRPO_ENDPOINT` (an OpenAI-compatible server: vLLM, TGI, a hosted provider), `STGRPO_MODEL` (the
// served name; default: the first listed) and `HF_TOKEN` (optional) point this section at any model.
// `STGRPO_NAME` and `STGRPO_TRAINED_ON` label its episodes (`sft+grpo`, `burger`), and
// `STGRPO_NO_EXAMPLE=1` drops the in-context example, as a model trained on the single-turn datasets
// must be evaluated. The ReAct prompt is lib/agent's; temperature 0.7, as in Robotouille.

// %%
const served = cfg.endpoint ? [await evaluateSpec(cfg.endpoint, cfg.paper, cfg.dir, { progress: notebookProgress(), concurrency: cfg.concurrency })] : [];
showMarkdown(served.length ? metricsMarkdown(rowsOf(served)) : noEndpointMessage());

// %% [markdown]
// ## The paper profile: Table 1's models, served one at a time
//
// With a GPU (the Docker image), the paper profile serves every model of Tables 1–4 in turn with
// `vllm serve` and plays it with the ReAct agent above: the prompted baselines Qwen2.5-1.5B/3B/7B/14B
// (Robotouille's prompt with its in-context example), and our Qwen2.5-1.5B after SFT and after SFT+GRPO
// for every training task notebook 05 trained (the prompt they were trained on), each on all four tasks
// for the cross-task Tables 2–4. Episodes carry the paper's row names, so notebook 07 sets them beside
// the published rows. The Llama-3.3-70B expert row is an endpoint of your own (the section above, with
// `STGRPO_NAME="Llama3.3-70b (expert)"`). While each model is served, its single-turn accuracy is
// sampled along the expert trajectories of the evaluation layouts (the next section's comparison).
// In other profiles this cell only lists the models.

// %%
const trajectories = evaluationTrajectories(cfg.paper, expertTrajectory, `${cfg.dir}/paper/expert-trajectories.jsonl`);
const singleTurn = { trajectories: trajectories, samples: cfg.samples, rollouts: cfg.rollouts };
const paperModels = await paperModelsSection(profile, cfg.paper, { dir: cfg.dir, progress: notebookProgress(), concurrency: cfg.concurrency, log: showMarkdown, singleTurn: singleTurn });
showMarkdown(paperModels.results.length ? metricsMarkdown(rowsOf(paperModels.results)) + "\n\n" + paperModels.markdown : paperModels.markdown);

// %% [markdown]
// ## Single-turn accuracy and Theorem 3.2
//
// The paper's argument: along the expert trajectory $\tau^{GT}$, the probability of finishing in the minimal
// number of steps is the product of the per-state expert-action probabilities, $P_0 = \prod_t \pi(a_t \mid s_t)$
// (Theorem 3.2; exact when the minimal trajectory is unique, an undercount otherwise). We measure both
// sides on the paper's evaluation layouts, with the expert trajectories from lib/expert:
//
// - **random and the CPU learners** have a distribution: $p_t$ is exact, and the measured side is Monte
//   Carlo rollouts of $\pi$ (temperature 1) for exactly $T^{GT}$ steps — the same stochastic policy (the
//   learners' checks were made by notebook 05 with these functions; the first training seed is shown);
// - **an endpoint** (and each model the paper profile served) is sampled k times per expert state (the
//   single-turn reward's "correct" part), and measured by its multi-turn episodes above (a success in
//   exactly $T^{GT}$ steps);
// - **the expert** acts once per state ($p_t = 1$) and is measured by its episodes.

// %%
const theorem = [...(await theoremStudy([...paper, ...served], trajectories, cfg)), ...paperModels.theorem, ...learned.theorem];
showMarkdown(theoremMarkdown(theoremRowsOf(theorem)));

// %%
await showFigure(theoremFigure(theoremRowsOf(theorem), `Theorem 3.2 on the paper's evaluation layouts, profile ${profile}`), "06-theorem-3-2");

// %% [markdown]
// **Prefix subtasks (Corollary 3.2).** For the policies with a distribution, the same comparison for
// every prefix k of the expert trajectory: reach the expert's state s_k in exactly k steps
// (solid: predicted, dashed: measured).

// %%
await showFigure(prefixFigure(prefixRowsOf(theorem), `Corollary 3.2: prefix subtasks, profile ${profile}`), "06-prefix-subtasks");
