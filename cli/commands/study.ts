/**
 * `stgrpo study`: the whole CPU-scale study headless — what notebook 05 runs, cell for cell.
 * Resumable: rerun the same command to continue (finished jobs are skipped, cut-off ones resume).
 */
import * as path from "node:path";
import { Command, printJson } from "../command";
import { flagTable, parseFlags, parseNumberList, usageText } from "../flags";
import { writeOut } from "../output";
import { parseInteger } from "../../lib/util/numbers";
import { ensureOutputDir } from "../../lib/util/paths";
import { UserError } from "../../lib/util/errors";
import { readJsonFile } from "../../lib/util/files";
import { currentProfile, PROFILES, Profile, REPO_ROOT } from "../../lib/util/profile";
import { silentProgress, terminalProgress } from "../../lib/util/progress";
import { parseTasks } from "../../lib/eval/protocol";
import { studyConfig, StudyConfig } from "../../lib/workflows/study/config";
import { studyDirs } from "../../lib/workflows/study/plan";
import { runStudy, Stage, STAGES } from "../../lib/workflows/study/run";
import { findingsTally } from "../../lib/workflows/study/markdown";
import { comparisonConfig, ComparisonConfig, Method, METHODS } from "../../lib/workflows/comparison/config";
import { comparisonDirs } from "../../lib/workflows/comparison/plan";
import { COMPARISON_STAGES, ComparisonStage, runComparison } from "../../lib/workflows/comparison/run";
import { claimTallyMarkdown } from "../../lib/workflows/comparison/markdown";

const FLAGS = flagTable({
  profile: { type: "choice", choices: PROFILES, help: "ci (tiny, runs in make test) or cpu (make reproduce)", defaultText: "$PROFILE, else cpu" },
  env: { type: "choice", choices: ["robotouille", "cookingworld"], default: "robotouille", help: "the environment: Robotouille (the paper's four tasks) or CookingWorld (its four levels; results under results/<profile>/cookingworld/)" },
  tasks: { type: "string", arg: "T,…", help: "training tasks", defaultText: "the profile's" },
  "eval-tasks": { type: "string", arg: "T,…", help: "tasks every cross-task model is evaluated on", defaultText: "the profile's" },
  seeds: { type: "string", arg: "LIST", help: "training seeds, e.g. 0,1,2", defaultText: "the profile's" },
  root: { type: "string", arg: "DIR", help: "results tree (then no copy under paper-figures/)", defaultText: "results/<profile>" },
  stages: { type: "string", arg: "S,…", help: `only these stages: ${STAGES.join(",")}`, defaultText: "all, in order" },
  "max-jobs": { type: "int", arg: "N", min: 1, help: "run at most N jobs, then stop (rerun to continue; with --workers 1)" },
  workers: {
    type: "int", arg: "N", min: 1, default: 1,
    help: "processes: the training tasks are split over N − 1 child processes and this one, balanced by their expert states; 2 on a 2-core machine",
  },
  comparison: {
    type: "boolean", group: "the single-turn vs multi-turn comparison (issue 17)",
    help: "run (or resume) the comparison instead of the study: single-turn GRPO on expert states, multi-turn GRPO, GiGPO and on-policy single-turn GRPO from the study's SFT starts at equal sampled actions, each to its budget points; summary in results/<profile>/comparison/summary/ and paper-figures/<profile>/study/comparison.{json,md}",
  },
  methods: { type: "string", arg: "M,…", group: "the single-turn vs multi-turn comparison (issue 17)", help: `with --comparison: only these methods (${METHODS.join(",")})`, defaultText: "all" },
  learners: { type: "string", arg: "L,…", group: "the single-turn vs multi-turn comparison (issue 17)", help: "with --comparison: only these learners (linear,mlp)", defaultText: "the profile's" },
  config: { type: "boolean", help: "print the resolved config as JSON and exit" },
  json: { type: "boolean", help: "print the run's outcome (jobs, summary path, findings tally) as JSON" },
  quiet: { type: "boolean", help: "no progress on stderr" },
  part: { type: "string", arg: "K/N", group: "internal (the worker processes of --workers N)", help: "run part K of N" },
  "config-file": { type: "string", arg: "FILE", group: "internal (the worker processes of --workers N)", help: "the parts' config, written by the parent" },
});

const usage = usageText({
  synopsis: "usage: stgrpo study [--profile ci|cpu] [--env robotouille|cookingworld] [--comparison [--methods M,…] [--learners L,…]] [--tasks T,…] [--eval-tasks T,…] [--seeds 0,1,2] [--root DIR] [--stages S,…] [--workers N] [--max-jobs N] [--config] [--json]",
  about: `The CPU-scale study of lib/learn (notebook 05, headless): expert data (lib/expert) → SFT (8 epochs,
batch 8) → single-turn GRPO from SFT with the expert-action reward (β = 0.001, and a β sweep) → a
multi-turn baseline (trajectory-level GRPO with the sparse success reward at the same number of
sampled actions) → the untrained reference, in two SFT strengths (the paper's settings, and a
"light" arm with a 50× smaller SFT step); every model evaluated on every task (the cross-task
matrix), each with several training seeds, on the paper protocol (10 seeds per task) and the
extended one; the paper's theory checked on the trained policies; a summary with the findings. Everything lands under results/<profile>/ (expert/, learn/, eval/, theory/,
study/timings.jsonl, summary/), the summary also under paper-figures/<profile>/study/.

With --comparison: the single-turn vs multi-turn comparison from the study's SFT starts (it makes
the expert data and SFT runs it needs when the study has not): every method trained to budget points
of sampled actions, every saved policy evaluated under sampling and greedy decoding, the per-state
premises checked, a findings table. Workers share one job queue.`,
  flags: FLAGS,
  after: `Rerunning resumes; a run directory whose config differs is refused (use another results tree).
Tables alone: stgrpo tables --results results/<profile>/eval/paper (or …/eval/extended-100 --protocol extended).`,
});

function parseSeedList(text: string): number[] {
  return parseNumberList("--seeds", text, { type: "int" });
}

/** A worker process of `--workers N` (spawned by runStudy or runComparison): its share of the jobs, progress on stderr. */
async function runPart(part: string, configFile: string | undefined, comparison: boolean): Promise<number> {
  const m = /^(\d+)\/(\d+)$/.exec(part);
  if (!m || !configFile) throw new UserError("--part K/N needs --config-file FILE (written by stgrpo study --workers N)");
  if (comparison) {
    const { config, stages } = readJsonFile<{ config: ComparisonConfig; stages: ComparisonStage[] }>(configFile);
    await runComparison(config, { progress: terminalProgress(1000), stages, part: { index: parseInteger("--part", m[1]), count: parseInteger("--part", m[2]) } });
    return 0;
  }
  const { config, stages, parts } = readJsonFile<{ config: StudyConfig; stages: Stage[]; parts: string[][] }>(configFile);
  const index = parseInteger("--part", m[1]);
  if (!parts[index]) throw new UserError(`--part ${part}: ${configFile} has ${parts.length} parts`);
  await runStudy(config, { progress: terminalProgress(1000), stages, part: { index, tasks: parts[index] } });
  return 0;
}

function parseStages<S extends string>(text: string, known: readonly S[]): S[] {
  const stages = text.split(",").map((x) => x.trim()) as S[];
  const bad = stages.filter((x) => !known.includes(x));
  if (bad.length) throw new UserError(`--stages: unknown stage ${bad.join(", ")} (known: ${known.join(", ")})`);
  return stages;
}

/** `stgrpo study --comparison`: the comparison's config from the flags, run, and its outcome. */
async function runComparisonCommand(values: ReturnType<typeof parseFlags<typeof FLAGS>>["values"]): Promise<number> {
  if (values["eval-tasks"]) throw new UserError("--eval-tasks is the study's: the comparison evaluates every model on its training task");
  const profile: Profile = values.profile ?? currentProfile();
  const list = (text: string) => text.split(",").map((x) => x.trim()).filter(Boolean);
  const overrides: Parameters<typeof comparisonConfig>[1] = {};
  if (values.methods) {
    const methods = list(values.methods);
    const bad = methods.filter((m) => !(METHODS as readonly string[]).includes(m));
    if (bad.length) throw new UserError(`--methods: unknown method ${bad.join(", ")} (known: ${METHODS.join(", ")})`);
    overrides.methods = methods as Method[];
  }
  if (values.learners) overrides.learners = list(values.learners);
  if (values.tasks) overrides.tasks = parseTasks(values.tasks).map((t) => t.id);
  if (values.seeds) overrides.seeds = parseSeedList(values.seeds);
  if (values.root) overrides.root = ensureOutputDir(values.root, "--root");
  const cfg = comparisonConfig(profile, overrides, values.env);
  const stages = values.stages ? parseStages(values.stages, COMPARISON_STAGES) : undefined;
  if (values.config) {
    printJson(cfg, true);
    return 0;
  }
  const result = await runComparison(cfg, { progress: values.quiet ? silentProgress : terminalProgress(), stages, stopAfterJobs: values["max-jobs"], workers: values.workers });
  const summaryFile = path.relative(REPO_ROOT, path.join(comparisonDirs(cfg).summary, "summary.md"));
  if (values.json) {
    printJson({ finished: result.finished, ran: result.ran.length, skipped: result.skipped.length, summary: result.summary ? summaryFile : null, timings: result.summary?.timings ?? null });
  } else if (result.summary) {
    writeOut(`comparison (${profile}): ${result.ran.length} job(s) ran, ${result.skipped.length} already done; summary in ${summaryFile}\n`);
    writeOut(`the paper's claim (single-turn GRPO on expert states beats the multi-turn methods at equal sampled actions):\n${claimTallyMarkdown(result.summary)}`);
  } else {
    writeOut(`comparison (${profile}): stopped after ${result.ran.length} job(s); rerun to continue\n`);
  }
  return 0;
}

export const study: Command = {
  name: "study",
  summary: "run (or resume) the CPU-scale study: expert data, SFT, GRPO, multi-turn baseline, evaluation, theory, summary",
  usage,
  flags: [FLAGS],
  async run(argv) {
    const { values } = parseFlags(argv, FLAGS, { positionals: false });
    if (values.part) return runPart(values.part, values["config-file"], Boolean(values.comparison));
    if (values.comparison) return runComparisonCommand(values);
    if (values.methods || values.learners) throw new UserError("--methods and --learners select the comparison's runs: add --comparison");
    const profile: Profile = values.profile ?? currentProfile();
    const overrides: Partial<StudyConfig> = {};
    if (values.tasks) overrides.tasks = parseTasks(values.tasks).map((t) => t.id);
    if (values["eval-tasks"]) overrides.evalTasks = parseTasks(values["eval-tasks"]).map((t) => t.id);
    if (values.seeds) overrides.seeds = parseSeedList(values.seeds);
    if (values.root) overrides.root = ensureOutputDir(values.root, "--root");
    const cfg = studyConfig(profile, overrides, values.env);
    const stages: Stage[] | undefined = values.stages ? parseStages(values.stages, STAGES) : undefined;
    if (values.config) {
      printJson(cfg, true);
      return 0;
    }
    const maxJobs = values["max-jobs"];
    const workers = values.workers;
    const result = await runStudy(cfg, { progress: values.quiet ? silentProgress : terminalProgress(), stages, stopAfterJobs: maxJobs, workers });
    const summaryFile = path.relative(REPO_ROOT, path.join(studyDirs(cfg).summary, "summary.md"));
    if (values.json) {
      printJson({ finished: result.finished, ran: result.ran.length, skipped: result.skipped.length, summary: result.summary ? summaryFile : null, timings: result.summary?.timings ?? null });
    } else if (result.summary) {
      const protocol = result.summary.protocols[result.summary.protocols.length - 1].protocol;
      writeOut(`study (${profile}): ${result.ran.length} job(s) ran, ${result.skipped.length} already done; summary in ${summaryFile}\n`);
      writeOut(`findings on the ${protocol} protocol:\n${findingsTally(result.summary.findings, protocol)}`);
    } else {
      writeOut(`study (${profile}): stopped after ${result.ran.length} job(s); rerun to continue\n`);
    }
    return 0;
  },
};
