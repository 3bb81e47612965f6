// %% [markdown]
// # 08 — A second environment: the method on CookingWorld (TextWorldExpress)
//
// The paper tests single-turn decomposition on four Robotouille tasks and names its own next step:
// other agent environments. The closest published benchmark is **CookingWorld**, TextWorld's cooking
// games as reimplemented in TextWorldExpress: another text kitchen, but with rooms and doors, a recipe
// to read in a cookbook, containers to open, ingredients to slice, dice, chop, roast, fry or grill, and
// distractors. Difficulty is a set of generator parameters; a game is fixed by its seed, and the engine
// splits its seeds into train, dev and test folds.
//
// Everything here runs in the real engine (a JVM, `textworld-express` from PyPI) behind the suite's
// environment seam (`lib/env`): the agent, the evaluation protocol, the expert data, the CPU learners
// and the tables are the same code as for Robotouille. What changes is the expert — the engine's own
// gold path, not an optimal planner — and the learner's features, which here read only lines and
// words (`lib/learn/textfeatures.ts`), since CookingWorld has no scene to parse.
//
// Headless: `stgrpo study --env cookingworld --profile cpu --workers 2`, then
// `stgrpo tables --results results/cpu/cookingworld/eval/paper`.

// %%
import { currentProfile } from "./lib/util/profile";
import { notebookProgress, showFigure, showMarkdown } from "./lib/viz/notebook";
import { crossTaskHeatmap, srFigure } from "./lib/report/index";
import { studyConfig } from "./lib/workflows/study/config";
import { runStudy } from "./lib/workflows/study/run";
import { buildSummary, studyResults } from "./lib/workflows/study/summary";
import { expertStateFigure, expertStatePoints, theoremFigure } from "./lib/workflows/study/figures";
import { findingsSectionMarkdown, resultTablesMarkdown, theoremsMarkdown, theoryPairsMarkdown, timingsMarkdown } from "./lib/workflows/study/markdown";
import { carryOverMarkdown, expertGapMarkdown, expertGapStudy, foldsMarkdown, gameMarkdown, levelsMarkdown } from "./lib/workflows/cookingworld";

const profile = currentProfile() === "paper" ? "cpu" : currentProfile(); // the GPU profile has no CookingWorld run: it shows the CPU one
const study = studyConfig(profile, {}, "cookingworld");
const workers = profile === "ci" ? 1 : 2;
console.log(JSON.stringify({ profile, workers, study }, null, 1));

// %% [markdown]
// ## Four levels, progressively harder
//
// Like the paper's four Robotouille tasks, four levels of growing size: more rooms, more ingredients in
// the recipe, more distractors, doors from level 3 on. Each level's **step limit** is the median length
// of the engine's gold path over the 1,000 train games — the benchmark's typical expert length, as
// Robotouille's `optimal_steps` are its — and the **timeout** follows the paper's rule, $\lceil 1.5 \times \text{step limit} \rceil$ (the paper: 15, 15, 23, 35 against 10, 10, 15, 23). Training games come from the train fold,
// evaluation plays the test fold.

// %%
showMarkdown(levelsMarkdown());
showMarkdown(foldsMarkdown());

// %% [markdown]
// A game as the agent reads it — the engine's text in the same three parts as Robotouille's
// observation (the state, `Valid Actions:`, `Goal:`) — and the engine's gold path for it.

// %%
showMarkdown(gameMarkdown("cookingworld-2", study.profile === "ci" ? 20000 : 20003));

// %% [markdown]
// ## The expert: the engine's gold path, measured against exact shortest paths
//
// The paper's theory is about a unique, minimal-length expert. Robotouille's planner is one; the
// benchmark's gold path is not. Replaying a seeded game is deterministic, so an exact search in the
// engine (A* with a consistent lower bound, checked against breadth-first search where that finishes)
// gives, per game, the shortest successful path, and per gold state the set of actions that keep the
// shortest remaining length: how much longer the gold path is (the gap), how many of its actions leave
// every shortest path, and how often the expert's choice is one of several optimal ones (ambiguity,
// where Def 2.2's uniqueness fails). On the first train games of each level (each analysis is kept in
// `results/<profile>/cookingworld/expert-gap.jsonl`; the full measurement is in notes/cookingworld.md):

// %%
showMarkdown(expertGapMarkdown(await expertGapStudy(study.profile, { progress: notebookProgress() })));

// %% [markdown]
// ## Expert data, training and evaluation
//
// The same study as notebook 05's main arm: the gold trajectories of 50 train games per level (10%
// held out), SFT (8 epochs, batch 8), single-turn GRPO from it with the paper's reward, trajectory-level
// multi-turn GRPO with the sparse success reward at an equal number of sampled actions, three training
// seeds; every model on every level (the cross-level matrix), on the paper-style protocol (ten test
// games per level) and an extended one; the engine's shortest plans as the `expert` row. GRPO runs 5
// epochs instead of the paper's 50, so that the multi-turn runs at equal samples fit a CPU budget
// (a CookingWorld step costs the engine and the text features, a Robotouille step microseconds).

// %%
const run = await runStudy(study, { progress: notebookProgress(), workers: workers });
const summary = run.summary!;
showMarkdown(timingsMarkdown(summary));

// %% [markdown]
// ### Table 1 on CookingWorld
//
// Ten test games per level, three training seeds per trained cell (mean and 95% t interval across
// seeds). At CPU scale, never the paper's numbers.

// %%
showMarkdown(resultTablesMarkdown(studyResults(study, "paper")));

// %%
const extended = summary.protocols[1].protocol;
const ours = studyResults(study, extended);
showMarkdown(resultTablesMarkdown(ours));
await showFigure(srFigure(ours), "08-sr");

// %% [markdown]
// ### The cross-level matrix
//
// Every model on every level: does training on the hardest level carry down, as the paper's Tables 2–4
// find for Robotouille's double cheese burger?

// %%
await showFigure(crossTaskHeatmap([studyResults(study, "paper")]), "08-cross-level");

// %% [markdown]
// ## The paper's findings on CookingWorld
//
// The same paired comparisons as notebook 05 (model A against model B on one level, paired by training
// seed, the 95% t interval of the difference across seeds).

// %%
showMarkdown(findingsSectionMarkdown(summary, extended));

// %% [markdown]
// ## The theory on trained policies
//
// Along the gold trajectories of evaluation games: **Corollary 3.1** (the expert-action probability at
// expert states does not fall after GRPO), **Assumption 3.1** at states off the expert's path, and
// **Theorem 3.2**'s product of per-step probabilities beside the measured probability of finishing in
// exactly the gold path's number of steps. The gold path is not minimal here, so "minimal-step success"
// reads "success in the expert's number of steps" — the product still counts only the expert's own path.

// %%
await showFigure(expertStateFigure(expertStatePoints(study)), "08-corollary-3-1");
showMarkdown(theoryPairsMarkdown(summary.theoryPairs));
showMarkdown(theoremsMarkdown(summary));
await showFigure(theoremFigure(summary), "08-theorem-3-2");

// %% [markdown]
// ## What carries over
//
// Each claim on both environments, from the two studies' summaries (Robotouille's from notebook 05,
// extended protocol; CookingWorld's from this notebook): how many comparisons hold, are within noise or
// are reversed.

// %%
const robotouille = buildSummary(studyConfig(profile));
showMarkdown(carryOverMarkdown(robotouille, summary, { robotouille: robotouille.protocols[1].protocol, cookingworld: extended }));
