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
// 50× smaller SFT step, which stops SFT at p(a^GT | s) ≈ 0.75–0.88 on its training batches (0.97 on the
// double cheese burger, whose dataset is twice as large). Models of that arm carry `(light)` in their
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
// **What the cpu run found** (`paper-figures/cpu/study/summary.md`; extended protocol, 100 layouts per
// task, three seeds):
//
// - **Ordering: reproduces where SFT leaves room, not otherwise.** With the paper's SFT settings our
//   SFT fits the expert states (p(a^GT|s) ≈ 0.99 on its batches), and GRPO's groups almost all get equal
//   rewards: SFT+GRPO equals SFT within noise on three tasks (0.77 vs 0.74 on Cheese Sandwich is the one
//   clear gain). In the light arm SFT+GRPO beats SFT on every task by 0.23–0.28 SR (e.g. Burger 0.55 →
//   0.79), and SFT beats the untrained reference (SR 0) everywhere. GRPO lifts the light SFT to about
//   the main SFT's level, not above it: the remaining failures are layouts and off-expert states that
//   neither SFT nor single-turn GRPO ever trains on.
// - **Steps: fewer excess steps, not a lower ASST.** ASST differences are within noise (GRPO solves
//   more, longer layouts). Steps beyond the planner's minimum fall after light-arm GRPO (1.1 → 0.3 per
//   success on three tasks, clear); in the main arm they are unchanged.
// - **Transfer: partly.** The model trained on the double cheese burger beats the reference on Burger
//   (0.20; light arm 0.33, both clear) and on Cheese Burger (0.26, within noise across seeds; light arm
//   0.50, clear), not on Cheese Sandwich (0.00: bread and cheese, no buns or patties); the simpler tasks'
//   models score 0.00–0.04 on the double cheese burger. The paper's asymmetry holds for the burgers; its
//   transfer to the sandwich does not appear.
// - **Single- vs multi-turn at equal samples: does not reproduce.** Trajectory-level GRPO with the
//   sparse success reward, given exactly as many sampled actions, ends *higher* than single-turn GRPO
//   on every task (light arm: +0.07 to +0.16 SR, clear on all four; main arm: +0.01 to +0.10, within
//   noise). It trains on the states its own policy reaches, which single-turn GRPO never sees; its
//   price is the environment in the loop and 1.3–3× the wall time per run here.

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
// policy. In the cpu run β ≤ 0.1 changes nothing measurable; β = 1 holds the policy closer to SFT
// (KL 0.12–0.21 instead of 0.16–0.32) and costs 0.04–0.14 SR.

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
// In the cpu run, light-arm GRPO leaves π(a^GT|s) no lower at 92–99% of the expert states; the
// failures concentrate where the expert's action is one of several shortest ones (64–80% not worse
// there, against 96–100% where it is unique) — the indicator reward then pushes towards the planner's
// tie-break, an arbitrary choice the features cannot always see. **Assumption 3.1 fails** far more
// often: at the SFT policy's own off-path states only 50–68% are not worse, although the mean
// probability still rises (e.g. 0.37 → 0.51 on Burger). The multi-turn baseline moves the expert
// states' probabilities far less faithfully (66–68% not worse in the main arm): it is not trained
// towards the expert's action.

// %% [markdown]
// **Theorem 3.2** predicts the probability of finishing in the minimal number of steps as the product
// of those probabilities; we measure it by Monte-Carlo rollouts of π. **Theorem 3.3** (under Assumption
// 3.1) says GRPO raises it.

// %%
showMarkdown(theoremsMarkdown(summary));
await showFigure(theoremFigure(summary), "05-theorem-3-2");

// %% [markdown]
// The measured minimal-step success sits above the product almost everywhere, and far above it on the
// long tasks (double cheese burger, SFT: 0.38 predicted, 0.71 measured): the kitchen's minimal
// trajectories are not unique (Def 2.2 fails at 13% of the double cheese burger's expert states), and
// the product counts every other shortest path as a failure. Theorem 3.3's conclusion holds on the
// light arm despite Assumption 3.1 failing — GRPO raises the measured minimal-step success by 0.36–0.59
// on every task — and is within noise on the main arm, where nothing moved.

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
