// %% [markdown]
// # 04 — The kitchen and the optimal, unique expert
//
// The paper trains on *expert states*: it cuts expert trajectories into their states and asks the
// model for the expert's action at each (single-turn GRPO). Its theory (Theorem 3.2) needs the expert
// trajectory to be the **unique minimal-length success** (Def 2.2). The paper rejection-sampled
// Llama3.3-70B, which is neither minimal nor unique. Here the expert is an exact planner:
//
// - **A\*** over the kitchen's compact states, with an admissible heuristic that counts the picks,
//   puts and moves the goal's recipe still needs (plus cuts and cooks), so every plan is a shortest plan;
// - a **tie-break** that makes it unique: among all shortest plans, the one whose sequence of
//   valid-action indices is lexicographically smallest (at every state, the first action in the
//   engine's valid-action order that keeps the optimal remaining distance);
// - the **ambiguity** of each expert state: how many actions keep the optimal distance. Where that is
//   more than one, Def 2.2's uniqueness fails and the paper's indicator reward punishes an equally
//   short action; `optimal_actions` in the data allows the "any optimal action" reward instead.
//
// Headless: `stgrpo plan <task> [--seed N] [--json] [--all-optimal]` and
// `stgrpo expert [--tasks …] [--n 100]` (datasets under `results/<profile>/expert/<task>/`).

// %%
import { byProfile, currentProfile, repoPaths } from "./lib/util/profile";
import { notebookProgress, showFigure, showMarkdown } from "./lib/viz/notebook";
import { kitchenPicture, makeKitchen } from "./lib/kitchen/index";
import { ambiguityByTask, ambiguityFigure, ambiguityTable, codeBlock, datasetTable, evalLayoutStudy, layoutDetailTable, optimalLengthFigure, optimalLengthTable, reasoningLeakStudy, reasoningLeakTable, trajectoryTable } from "./lib/workflows/kitchen-and-expert";
import { DATASET_DEFAULTS, DATASET_PROMPT_CONFIG, expertPaths, generateExpertData, loadExpertDataset, loadExpertTrajectories } from "./lib/dataset/index";
import { expertTrajectory } from "./lib/expert/index";

const profile = currentProfile();
const config = {
  profile,
  // Reachable states are enumerated up to this many per layout (exact below it): default / seeded layouts.
  stateCap: byProfile({ ci: 6_000, cpu: 500_000, paper: 500_000 }),
  seededStateCap: byProfile({ ci: 2_000, cpu: 100_000, paper: 100_000 }),
  dataset: { ...DATASET_DEFAULTS, perTask: byProfile({ ci: 4, cpu: 100, paper: 100 }) },
  prompt: DATASET_PROMPT_CONFIG,
  example: { task: "burger", seed: 84 },
};
console.log(config);

// %% [markdown]
// ## Layouts
//
// The default burger layout (three tables, the robot at table1 holding nothing), and a procedural
// layout of the same task (seed 84, one of the paper's evaluation seeds): more stations, distractor
// items, one item per station. Positions only matter for pictures; a move goes to any station in one step.

// %%
await showFigure(kitchenPicture(makeKitchen("burger")), "04-burger-default");
await showFigure(kitchenPicture(makeKitchen(config.example.task, config.example.seed)), "04-burger-seed84");

// %% [markdown]
// ## An observation
//
// What the agent sees: one block per object, the valid actions, the goal (notes/kitchen-engine.md).

// %%
showMarkdown(codeBlock(makeKitchen(config.example.task, config.example.seed).observation()));

// %% [markdown]
// ## The expert trajectory, step by step
//
// The unique expert plan on burger@84, with the number of optimal actions at each state (1 = the
// expert action is the only way to stay on a shortest plan), then the ReAct reasoning the dataset
// uses as the SFT target at the first step (generated from the planner: goal, done, to do, the plan).

// %%
const example = expertTrajectory(config.example.task, config.example.seed).trajectory;
showMarkdown(trajectoryTable(example));

// %%
showMarkdown(codeBlock(`Reasoning: ${example.steps[0].reasoning}\nAction: ${example.steps[0].action}`));

// %% [markdown]
// ## The 44 evaluation layouts: optimal lengths against the paper's limits
//
// The paper evaluates each task on Robotouille's seeds 42, 84, …, 420 with a fixed step limit per task
// (10, 10, 15, 23 — Robotouille's configured `optimal_steps` of the *default* layouts) and timeouts of
// 1.5× that (15, 15, 23, 35). Seeded layouts are different kitchens: their optimum often exceeds the
// limit (bold) — on burger@126 a perfect agent needs 14 of its 15 turns, on double cheese burger@252
// 30 of 35 — so the paper's SR mixes skill with how much slack each layout leaves. None exceeds the
// timeout. In the detail table below, "plays N" names the seed Robotouille's generator really used
// (it silently retries seed+1 when generation fails).

// %%
const study = evalLayoutStudy({ stateCap: config.stateCap, seededStateCap: config.seededStateCap, progress: notebookProgress() });
showMarkdown(optimalLengthTable(study));

// %%
await showFigure(optimalLengthFigure(study), "04-optimal-lengths");

// %% [markdown]
// ## State spaces and planning effort
//
// Reachable states (counted exhaustively up to the cap; "> N" when the enumeration stopped), the
// states A\* expanded for the unique expert plan with every optimal-action set, and the time it took.
// Plain breadth-first search has to visit every state closer than the goal; A\* expands a few dozen.

// %%
showMarkdown(layoutDetailTable(study));

// %% [markdown]
// ## Ambiguity: how far Robotouille is from a unique expert
//
// At every expert state, the actions that keep the optimal remaining distance. A state is ambiguous
// when there are several (typically: where to put down an item, or which of two needed items to fetch
// first in a relaxed recipe). On such states Theorem 3.2's product $\prod_t \pi(a^{GT}_t \mid s_t)$ undercounts the true
// minimal-step success.

// %% [markdown]
// ## The single-turn datasets
//
// Expert trajectories on training layouts — seeds from 10000 up, skipping every layout an evaluation
// plays (the default and seeds $42k$ for $k \le 100$, compared on the seed really used) — cut into one row
// per expert state: the prompt the agent sees there (lib/agent's prompt with the dataset's
// `PromptConfig`: history of one step, no in-context example) and the ReAct completion. The last
// layouts in seed order are held out for validation.

// %%
const stats = generateExpertData(config.dataset, { profile: config.profile, progress: notebookProgress(), command: "notebook 04" });
showMarkdown(datasetTable(stats));

// %%
const evalAmbiguity = ambiguityByTask(study);
showMarkdown(ambiguityTable(evalAmbiguity, stats));

// %%
await showFigure(ambiguityFigure(evalAmbiguity, stats), "04-ambiguity");

// %% [markdown]
// ### What the prompt already says: the expert action in the previous reasoning
//
// The dataset's reasoning spells out the whole remaining optimal plan (style `full`, as the prompt's
// instructions ask), and the prompt carries the previous step's reasoning as history. So from a
// trajectory's second state on, the expert action is already in the prompt, verbatim, as the step
// after the one just taken: the single-turn problem there is "follow the plan you wrote". The paper's
// Llama expert also plans in its reasoning, but its plans are imperfect, so copying them is not always
// right. The same trajectories in the two other styles `stgrpo expert --reasoning` offers — the next
// subgoal in words only, or no plan at all — are built to put no action line into the prompt. The table counts,
// over every row (train and validation), the share whose expert action is a line of the previous
// reasoning, and in brackets the share where it is the line right after the previous action.

// %%
const leak = reasoningLeakStudy(Object.fromEntries(stats.map((s) => [s.task, loadExpertTrajectories(s.task, { profile: config.profile })])), { prompt: config.prompt });
showMarkdown(reasoningLeakTable(leak));

// %% [markdown]
// One row of the burger training set, as the trainer reads it (TRL's conversational
// prompt–completion form; `optimal_actions` feeds the "any optimal action" reward). Files:

// %%
const row = loadExpertDataset("burger", { profile: config.profile })[1];
console.log(repoPaths(expertPaths("burger", { profile: config.profile })));
showMarkdown(codeBlock(JSON.stringify({ ...row, prompt: row.prompt.map((m) => ({ role: m.role, content: m.content.length > 160 ? m.content.slice(0, 160) + " …" : m.content })) }, null, 1)));
