// %% [markdown]
// # 07 — The paper's tables, regenerated beside the published numbers
//
// Tables 1–4 of Hu et al., *Training Task Reasoning LLM Agents for Multi-turn Task Planning via
// Single-turn RL* (arXiv 2509.20616), rebuilt from episode JSONL and set beside the numbers the paper
// prints (`data/paper/*.csv`). SR is the success rate; ASAT averages the steps of all episodes, counting
// a failure at the task's timeout (15, 15, 23, 35); ASST averages the steps of successes only ("—" when
// none). Three parts:
//
// 1. **The round trip.** The paper's own numbers go through our table code and must come back
//    identically. Then an audit of the published cells.
// 2. **Our tables** from this profile's runs (`results/<profile>`, written by notebooks 04–06). Each
//    table is titled with the profile, so CPU-scale numbers are never read as the paper's.
// 3. **The GPU reproduction** (`results/paper`), when it exists.
//
// Headless, the same outputs come from `stgrpo tables --results results/<profile> --out paper-figures/<profile>`.

// %%
import { byProfile, currentProfile, figuresDir, repoPaths, resultsDir } from "./lib/util/profile";
import { showFigure, showMarkdown } from "./lib/viz/notebook";
import { crossTaskHeatmap, floorSpecificity, floorSpecificityMarkdown, loadPaperResults, loadProfileStudy, PAPER_DIR, paperRoundTrip, REPORT_FIXTURE, roundTripMarkdown, srFigure, writeReport } from "./lib/report/index";
import { evaluationOptima, seededOptima } from "./lib/expert/optima";

const profile = currentProfile();
const config = {
  profile,
  published: PAPER_DIR,
  results: resultsDir(profile),
  out: figuresDir(profile),
  // Without episodes yet, only the ci run falls back to the report's fixture (made-up episodes).
  fallback: byProfile({ ci: REPORT_FIXTURE, cpu: null, paper: null }),
  gpuResults: resultsDir("paper"),
  // How special the evaluation layouts' optimal lengths are: seeded layouts planned per task, random draws.
  floorPool: byProfile({ ci: 100, cpu: 1000, paper: 1000 }),
  floorDraws: byProfile({ ci: 2000, cpu: 20000, paper: 20000 }),
};
console.log(repoPaths(config));

// %% [markdown]
// ## 1. The round trip from the paper's own numbers
//
// The published cells are read into the same structure our runs produce, each with the decimals it
// was printed with ("8.67", "23", "15.0"). Written back out, the CSVs must match byte for byte. Each
// cell of the Markdown and LaTeX tables, read back from the rendered text, must match the CSV.

// %%
const published = loadPaperResults();
showMarkdown(roundTripMarkdown(paperRoundTrip().checks));

// %% [markdown]
// The regenerated tables are written as CSV, Markdown, LaTeX (booktabs) and HTML to
// `paper-figures/<profile>/published/`. Bold marks the best value of each task block (Table 1) and
// of each evaluated-on column (Tables 2–4): the highest SR, the lowest ASAT and ASST. The CSVs do not
// record which cells the paper sets in bold, so this one rule is applied to the paper's numbers and
// to ours.

// %%
const optima = evaluationOptima(); // the planner's optimal plan of each of the 40 evaluation layouts (for the audit)
// (`optima: optima`, not `{ optima }`: tslab does not rewrite shorthand properties that name an earlier cell's variable)
const paperReport = await writeReport(published, figuresDir(profile, "published"), { figures: false, optima: optima });
showMarkdown(paperReport.sections.table1);

// %% [markdown]
// Tables 2–4: the SFT+GRPO model trained on the row's task and evaluated on the column's.

// %%
showMarkdown(paperReport.sections.table2 + "\n" + paperReport.sections.table3 + "\n" + paperReport.sections.table4);

// %% [markdown]
// ### An audit of the published cells
//
// A cell's three numbers must fit together. With $T$ the timeout, $\mathrm{ASAT} = \mathrm{SR}\cdot\mathrm{ASST} + (1 - \mathrm{SR})\cdot T$ must hold
// within the printed precision. ASST must be "—" exactly when SR = 0. And some 10 whole-numbered
// episodes must print the cell's numbers. One cell fails: Burger / Qwen2.5-14b prints an ASST of 15.0
// with an SR of 0.0. The identity still holds there, but only because the ASST term is multiplied by 0.
//
// A fourth check uses the kitchen itself. Our optimal planner solves each of Robotouille's ten
// evaluation layouts per task (seeds 42…420, bit-exact). k successes cannot average fewer steps than
// the k shortest of those plans (the "reachable" column).

// %%
showMarkdown(paperReport.sections.audit);

// %% [markdown]
// Passing that check makes the published numbers *consistent with* these layouts; it does not show
// that the paper played them. Some published ASSTs sit exactly on the floor, which is only as telling
// as those lengths are rare among seeded layouts. Below: each task's
// evaluation lengths and how common each is among Robotouille's seeded layouts, then, over random sets
// of as many seeded layouts per task, how often every published ASST would clear the floor and how
// often the same cells would sit exactly on it.

// %%
const seededPool = seededOptima(config.floorPool);
const floorCheck = floorSpecificity(published, optima, seededPool, { draws: config.floorDraws });
showMarkdown(floorSpecificityMarkdown(floorCheck, optima, seededPool));

// %% [markdown]
// The paper's success rates with 95% Wilson intervals at its 10 episodes per cell. At that size an SR
// of 0.3 spans about [0.11, 0.60], so most differences of 0.1–0.3 between cells are within noise.

// %%
await showFigure(srFigure(published), "published/sr");

// %%
await showFigure(crossTaskHeatmap([published]), "published/cross_task_sr");

// %% [markdown]
// ## 2. Our tables, from `results/<profile>`
//
// Every episode JSONL under the profile's results is read, but for the trees of notebooks 08 and 09
// (`cookingworld/`, `comparison/`: CookingWorld's tables are notebook 08's), so that these tables are the
// same whichever notebooks ran before. Training metrics feed the learning curves.
// Datasets, traces and other JSONL are skipped and named. A malformed episode line is an error naming
// its file and line. **In the ci profile, when notebooks 04–06 have left no episodes, the report's test
// fixture stands in**, titled as made-up data, so every cell still runs in `make test`.

// %%
const ours = loadProfileStudy(config.results, { fallback: config.fallback, exclude: ["cookingworld", "comparison"], command: `stgrpo tables --results results/${profile} --out paper-figures/${profile} --exclude cookingworld,comparison` });
showMarkdown(ours.message);

// %% [markdown]
// Table 1 in the paper's layout, then the same with its 95% intervals and episode counts (Wilson for
// SR, a seeded bootstrap for ASAT and ASST; across training seeds, a t interval over runs).

// %%
const report = ours.study && (await writeReport(ours.study.results, config.out, { paper: published, curves: ours.study.curves, optima: optima }));
showMarkdown(report ? report.sections.table1 + "\n" + report.sections.table1_intervals : "No tables: " + ours.message);

// %% [markdown]
// Tables 2–4 for the model that stands beside the paper's SFT+GRPO. They exist only for models whose
// episodes name a `trained_on` task.

// %%
showMarkdown(report ? [report.sections.table2, report.sections.table3, report.sections.table4].filter(Boolean).join("\n") || "No model with a trained_on: no Tables 2–4." : "");

// %% [markdown]
// Ours beside the paper's, cell by cell. ΔSR = ours − paper, with a 95% Newcombe (MOVER) interval. A
// difference is "within noise" when that interval contains 0. Our models stand beside the paper's rows
// by name: the planner for the Llama expert, the untrained policy for the prompted base model, `sft` and
// `sft+grpo` for the trained rows. The CPU study uses a different model class at another scale, so
// agreement is not expected. The comparison shows where the shapes agree.

// %%
showMarkdown(report ? [report.sections.compare_table1, report.sections.compare_cross_task, report.sections.agreement].filter(Boolean).join("\n") : "");

// %% [markdown]
// The figures: SR per task and model with interval whiskers; ASST per task; the cross-task SR heatmap,
// the paper's beside ours on one [0, 1] scale; SR beside the paper's; and learning curves from the
// training metrics, when there are any.

// %%
for (const f of report ? report.figures : []) await showFigure(f.spec, f.name);

// %% [markdown]
// ## 3. The GPU reproduction, from `results/paper`
//
// The paper profile (Docker with GPUs) trains Qwen2.5-1.5B with the paper's recipe and evaluates the
// baselines. Its tables are written to `paper-figures/paper/`, and the paper profile's are committed.

// %%
const gpu = profile === "paper" ? ours : loadProfileStudy(config.gpuResults, { command: "stgrpo tables --results results/paper --out paper-figures/paper" });
const gpuReport = gpu.study && (await writeReport(gpu.study.results, figuresDir("paper"), { paper: published, curves: gpu.study.curves, optima: optima }));
showMarkdown(gpuReport ? gpuReport.sections.table1 + "\n" + (gpuReport.sections.agreement ?? "") : gpu.message);
