// %% [markdown]
// # 05 — Training at CPU scale: SFT, single-turn GRPO and a multi-turn baseline
//
// The paper's recipe is expert data → SFT → single-turn GRPO on the expert states with the
// expert-action reward → multi-turn evaluation. This notebook runs that recipe end to end on a laptop,
// with a learner small enough to train in seconds, and tests the paper's qualitative findings on it:
//
// - **the learner** (`lib/learn`): a log-linear policy π(a | s) ∝ exp(w · φ(s, a)) over the valid
//   actions, with generic, identity-free text features of the observation and the candidate action
//   (no planning knowledge). Its untrained form (w = 0) is uniform over the valid actions: the reference;
// - **SFT** on lib/expert's planner trajectories (8 epochs, batch 8, as in the paper);
// - **single-turn GRPO** from the SFT policy with the paper's reward 0.1·format + 0.9·1{a = a^GT}
//   (G = 8 samples per state, batch 256 states, 50 epochs, β = 0.001 to the SFT policy; a β sweep);
// - **the multi-turn baseline** the paper argues against but never runs: trajectory-level GRPO on whole
//   episodes with the sparse success reward, at the *same number of sampled actions* as single-turn GRPO;
// - per-task training on the four tasks, every model of the main arm evaluated on all four (the
//   cross-task matrix), three training seeds each, on the paper protocol (10 layouts per task) and the
//   extended one (100); the paper's theory checked on the trained policies.
//
// **Two SFT strengths.** At the paper's 8 epochs our SFT fits the expert states exactly, which leaves
// single-turn GRPO nothing to learn (every group of G samples gets the same reward). The paper's own
// SFT model is far from that (SR 0.0–0.6). So the study has a second, *light* arm: the same recipe with a
// 50× smaller SFT step, which stops SFT well short of fitting its training states (the training table
// below shows p(a^GT | s) on the last batches, per task). Models of that arm carry `(light)` in their
// names; the β sweep runs from it.
//
// Headless, the whole notebook is one resumable command:
// `stgrpo study --profile cpu --workers 2` (then `stgrpo tables --results results/cpu/eval/paper`).
// The CPU-scale numbers are never the paper's: every table is titled with its profile.

// %%
import { byProfile, currentProfile } from "./lib/util/profile";
import { notebookProgress, showFigure, showMarkdown } from "./lib/viz/notebook";
import { requireGpu } from "./lib/trainer-client/gpu";
import { asstFigure, crossTaskHeatmap, learningCurvesFigure, loadPaperResults, srFigure } from "./lib/report/index";
import { studyConfig } from "./lib/workflows/study/config";
import { runStudy } from "./lib/workflows/study/run";
import { studyResults } from "./lib/workflows/study/summary";
import { betaSweepFigure, expertStateFigure, expertStatePoints, prefixFigure, studyCurves, theoremFigure } from "./lib/workflows/study/figures";
import { findingsSectionMarkdown, resultTablesMarkdown, theoremsMarkdown, theoryPairsMarkdown, timingsMarkdown, trainingMarkdown } from "./lib/workflows/study/markdown";
import { findingsNarrative, theoremNarrative, theoryNarrative } from "./lib/workflows/study/narrative";
import { paperCommandsMarkdown, paperCurveFigures, paperTraining, studyProfileOf } from "./lib/workflows/paper-training";

const profile = currentProfile();
requireGpu(); // the paper profile trains on a GPU: without one it stops here, in one line
const study = studyConfig(studyProfileOf(profile)); // the paper profile shows the cpu study beside its GPU run
const workers = byProfile({ ci: 1, cpu: 2, paper: 2 });
console.log(JSON.stringify({ profile, workers, study }, null, 1));

// %% [markdown]
// ## Expert data and training
//
// lib/expert's planner writes the expert trajectories and their single-turn rows (training layouts
// disjoint from every evaluation layout, 10% held out) under `results/<profile>/expert/<task>/` — the
// same files notebook 04 makes. Then, per task and training seed: SFT; GRPO from it (β = 0.001 and the
// sweep); the multi-turn baseline from the same SFT policy, with as many environment steps as the GRPO
// run sampled actions; and the light arm's three. Each run lives in
// `results/<profile>/learn/<task>/<variant>-s<seed>/` (config, metrics, checkpoint, policy) and resumes
// from its checkpoint when interrupted. The line below follows the jobs as they run.
//
// `stgrpo study --profile cpu --stages expert,train --workers 2`

// %%
const trained = await runStudy(study, { progress: notebookProgress(), stages: ["expert", "train"], workers: workers });
showMarkdown(`${trained.ran.length} job(s) ran, ${trained.skipped.length} were already done.`);

// %% [markdown]
// ## Learning curves
//
// Per optimisation step, for the first training seed of each task: SFT's cross-entropy, accuracy and
// expert-action probability on its batches; GRPO's mean reward, accuracy, p(a^GT) and KL to the SFT
// policy (and the share of groups with equal rewards — no signal); the multi-turn baseline's training
// success rate and KL. The main arm's GRPO starts at reward ≈ 1: SFT left it nothing to learn.

// %%
for (const task of study.tasks) await showFigure(learningCurvesFigure(studyCurves(study, task, study.seeds[0]), `${task}, seed ${study.seeds[0]}`), `05-curves-${task}`);

// %% [markdown]
// ## Evaluation, theory checks and the summary
//
// Every model plays the paper protocol (seeds 42…420) and the extended one (42·k, k ≤ N), sampling
// from π (temperature 1: the distribution the theory is about); the untrained reference samples
// uniformly; the planner (`expert`) gives the minimal steps. Episodes go to
// `results/<profile>/eval/<protocol>/<task>/<variant>-s<seed>.jsonl`, labelled `model` (the recipe),
// `trained_on` (the training task) and `run` (the training seed), so lib/report takes mean and 95% t
// interval across seeds. Then the theory checks along the evaluation layouts' expert trajectories, and
// the summary (`results/<profile>/summary/summary.{json,md}`).
//
// `stgrpo study --profile cpu --stages eval,theory,summary --workers 2`

// %%
const evaluated = await runStudy(study, { progress: notebookProgress(), stages: ["eval", "theory", "summary"], workers: workers });
const summary = evaluated.summary!;
showMarkdown(timingsMarkdown(summary));

// %% [markdown]
// ## Table 1 at CPU scale
//
// The paper protocol: ten layouts per task, three training seeds per trained cell (mean of the
// per-seed metrics, 95% t interval across seeds). `expert` stands beside the paper's Llama-3.3-70B row,
// `untrained` beside the prompted base model, `sft` and `sft+grpo` beside the trained 1.5B rows.

// %%
showMarkdown(resultTablesMarkdown(studyResults(study, "paper")));

// %% [markdown]
// The extended protocol: the same rules on ten times as many layouts per task, so each seed's SR is
// measured far more precisely and the interval is mostly the seed-to-seed spread.

// %%
const extended = summary.protocols[1].protocol;
const ours = studyResults(study, extended);
showMarkdown(resultTablesMarkdown(ours));

// %%
await showFigure(srFigure(ours), "05-sr");
await showFigure(asstFigure(ours), "05-asst");

// %% [markdown]
// The cross-task matrix of SFT+GRPO (Table 2), ours on the extended protocol beside the paper's.

// %%
await showFigure(crossTaskHeatmap([ours, loadPaperResults()]), "05-cross-task");

// %% [markdown]
// ## The paper's findings, tested
//
// Each finding is a set of paired comparisons: model A against model B on the same task, paired by
// training seed (the GRPO run s0 starts from the SFT run s0), the mean difference with its 95% t
// interval across seeds. "yes" needs the interval to exclude zero in A's favour; "reversed" is the
// same in B's favour; everything else is "within noise". Four findings:
//
// 1. **ordering** — SFT+GRPO > SFT > reference in SR on each task;
// 2. **steps** — fewer steps per success after GRPO (ASST, and the excess over the planner's minimal
//    steps, which does not reward solving fewer, easier layouts);
// 3. **transfer** — the model trained on the double cheese burger beats the untrained reference on the
//    three simpler tasks, and the models trained on those do not on the double cheese burger;
// 4. **single-vs-multi** — single-turn GRPO against multi-turn GRPO at equal samples.

// %%
showMarkdown(findingsSectionMarkdown(summary, extended));

// %% [markdown]
// The same on the paper protocol (ten layouts: wider intervals).

// %%
showMarkdown(findingsSectionMarkdown(summary, "paper"));

// %% [markdown]
// **What this run found**, claim by claim and arm by arm on the extended protocol (differences A − B
// across the comparisons that are clear; the steps claim counts steps, so lower is better). Where SFT
// fits the expert states (the main arm), GRPO's groups almost all get equal rewards and have nothing to
// learn from; where SFT leaves room (the light arm), the paper's mechanism can show. Multi-turn GRPO
// trains on the states its own policy reaches, which single-turn GRPO on expert states never sees; its
// price is the environment in the loop (the wall times above).

// %%
showMarkdown(findingsNarrative(summary, extended));

// %% [markdown]
// ## What training did: final metrics, samples and wall time
//
// Per task and recipe, averaged over seeds: the final training objective, the expert-action
// probability on the last batch, the held-out single-turn accuracy (validation layouts), the KL to the
// reference, the share of GRPO groups whose rewards were all equal, the samples drawn (multi-turn:
// environment steps — equal to its GRPO run's by construction) and the wall time of one run.

// %%
showMarkdown(trainingMarkdown(summary.training));

// %% [markdown]
// ## The β sweep
//
// Single-turn GRPO from the light arm's SFT policy (from the main arm's there is no signal to trade
// against the KL) with β = 0.001 and the sweep: SR on the extended protocol and the final KL to the SFT
// policy: a larger β holds the policy closer to SFT, at whatever SR that costs.

// %%
await showFigure(betaSweepFigure(summary, extended), "05-beta-sweep");

// %% [markdown]
// ## The theory on real training
//
// Along the expert trajectories of the evaluation layouts (paper seeds first), each model's
// π(a_t^GT | s_t^GT) is exact. **Corollary 3.1** says GRPO does not lower it at any expert state;
// **Assumption 3.1** asks the same of every state, which we check at states *off* the expert path (the
// ones the SFT policy visits in its own episodes, with lib/expert's action there as a^GT). Below the
// diagonal is where the per-state improvement fails; "several optimal actions" marks states where the
// expert's action is not the only shortest one (Def 2.2's uniqueness fails there).

// %%
await showFigure(expertStateFigure(expertStatePoints(study)), "05-corollary-3-1");
showMarkdown(theoryPairsMarkdown(summary.theoryPairs));

// %% [markdown]
// In numbers, per arm and recipe: the share of states where π(a^GT|s) did not fall, split by whether the
// expert's action is the only optimal one. Where it is one of several, the indicator reward pushes
// towards the planner's tie-break, an arbitrary choice the features cannot always see; off the expert's
// path, nothing in single-turn training on expert states asks for an improvement at all.

// %%
showMarkdown(theoryNarrative(summary));

// %% [markdown]
// **Theorem 3.2** predicts the probability of finishing in the minimal number of steps as the product
// of those probabilities; we measure it by Monte-Carlo rollouts of π. **Theorem 3.3** (under Assumption
// 3.1) says GRPO raises it.

// %%
showMarkdown(theoremsMarkdown(summary));
await showFigure(theoremFigure(summary), "05-theorem-3-2");

// %% [markdown]
// The product counts only the expert's own path: wherever the kitchen has several shortest paths
// (Def 2.2's uniqueness fails), the other shortest paths count as failures, so the measured minimal-step
// success can only be at or above it. Theorem 3.3 needs Assumption 3.1, which fails at many off-path
// states; whether its conclusion holds anyway is measured here:

// %%
showMarkdown(theoremNarrative(summary));

// %% [markdown]
// **Corollary 3.2**: the same for every prefix subtask — reaching the expert's state s_k in exactly k
// steps.

// %%
await showFigure(prefixFigure(summary, ["untrained", "sft", "sft+grpo", "multiturn-grpo", "sft(light)", "sft+grpo(light)", "multiturn-grpo(light)"]), "05-corollary-3-2");

// %% [markdown]
// ## The paper profile: the same recipe on a GPU
//
// With `PROFILE=paper` (the Docker image with a GPU), this section trains Qwen2.5-1.5B-Instruct with
// the paper's hyperparameters through lib/trainer-client (TRL; notes/trainer.md maps every setting): SFT 8
// epochs at batch 8 on each task's expert dataset, then GRPO from the SFT model at 256 prompts × G = 5
// completions per step, lr 1e-6, β = 0.001, 50 epochs, reward 0.1·format + 0.9·action. Without a GPU
// the first cell above already stopped. The commands it runs:

// %%
showMarkdown(paperCommandsMarkdown());

// %%
showMarkdown(await paperTraining(profile, { progress: notebookProgress() }));

// %% [markdown]
// The paper-profile runs' learning curves (SFT: loss and token accuracy; GRPO: reward, its format and
// action parts, KL), from each run's metrics.jsonl. The trained models are evaluated by notebook 06
// (served through an OpenAI-compatible endpoint) and tabulated beside the paper by notebook 07.

// %%
for (const f of paperCurveFigures(profile)) await showFigure(f.spec, f.name);
