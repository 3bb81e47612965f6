/**
 * `stgrpo tables --results DIR --out DIR` — the paper's Tables 1–4 from every episode JSONL under DIR,
 * beside the published numbers (docs/design.md contract: OUT/table1.csv and OUT/cross_task.csv in the shape
 * of data/paper/*.csv; the other outputs are listed in lib/report/write.ts and notes/report.md).
 */
import * as path from "node:path";
import { Command, printJson } from "../command";
import { flagTable, parseFlags, usageText } from "../flags";
import { writeErr, writeOut } from "../output";
import { ensureOutputDir } from "../../lib/util/paths";
import { UserError } from "../../lib/util/errors";
import { PROFILES, Profile } from "../../lib/util/profile";

const FLAGS = flagTable({
  results: { type: "string", arg: "DIR", help: "directory of episode JSONL (e.g. results/cpu)" },
  out: { type: "string", arg: "DIR", help: "where to write (created)" },
  profile: { type: "choice", choices: PROFILES, help: "which profile produced the runs, for the titles", defaultText: "from results/<profile>" },
  title: { type: "string", arg: "TEXT", help: "title for every table instead of the profile's" },
  match: {
    type: "strings", arg: "OURS=PAPER",
    help: 'stand our model beside a paper row ("sft+grpo=Qwen2.5-1.5b (w/ SFT & GRPO)", or OURS=none); repeatable. Defaults: expert, untrained/random, sft, sft+grpo, …',
  },
  "cross-model": { type: "string", arg: "NAME", help: "the model of Tables 2–4 when several have a trained_on" },
  protocol: {
    type: "string", arg: "P",
    help: "which evaluation protocol's episodes: paper (default when any episode names it; also episodes that name none), extended, custom, or all",
  },
  exclude: { type: "string", arg: "D,…", help: "sub-directories of --results to leave out, e.g. cookingworld,comparison (the other trees under results/<profile>)" },
  "no-figures": { type: "boolean", help: "skip the SVG/PNG figures" },
  json: { type: "boolean", help: 'print {"out", "files", "episodes", "models", "tasks", "comparison"} on stdout' },
});

const usage = usageText({
  synopsis: `usage: stgrpo tables --results DIR --out DIR [--profile ci|cpu|paper] [--title TEXT]
                     [--match OURS=PAPER]... [--cross-model NAME] [--protocol P] [--exclude D,…] [--no-figures] [--json]`,
  about: `Read every episode JSONL under --results (recursively) and write the paper's Tables 1–4 to --out:

  table1.csv        task,model,sr,asat,asst   (one row per task and model; asst empty: no success)
  cross_task.csv    trained_on,evaluated_on,sr,asat,asst   (the model shown in Tables 2–4)
  table1..4.{md,tex,html}, comparison_*.{md,tex,html}, comparison.csv, audit.*, cells.csv,
  tables.md, index.html, and figures sr / asst / cross_task_sr / sr_vs_paper / learning_curves (.svg, .png)

ASAT counts a failed episode at its timeout. Table 1's row for a trained model on a task uses the model
trained on that task (the diagonal of Tables 2–4), as in the paper. A cell with several runs (training
seeds) shows the mean of per-run metrics with a t interval across runs.

What is read is said on stderr, file by file where it matters: files of another shape (training
metrics, datasets, traces) are named as skipped; a torn last line (a run killed mid-write) is named and
left out; an episode found in two files with the same outcome is counted once, the copies named; the
same episode (protocol, run, model, trained_on, task, seed) with different outcomes in two files is an
error naming both, since which one counts would decide the numbers.`,
  flags: FLAGS,
});

export const tables: Command = {
  name: "tables",
  summary: "regenerate the paper's Tables 1–4 and figures from episode JSONL, beside the published numbers",
  usage,
  flags: [FLAGS],
  async run(argv) {
    const { values } = parseFlags(argv, FLAGS, { positionals: false });
    if (!values.results) throw new UserError("--results DIR is required");
    if (!values.out) throw new UserError("--out DIR is required");
    // Required here, not imported at the top, and in two steps: `stgrpo --help` pays for neither,
    // and bad input is reported before vega (the renderer) loads. (A dynamic import() would go through
    // Node's ESM resolver, which needs file extensions.)
    /* eslint-disable @typescript-eslint/no-var-requires */
    const { parseMatches }: typeof import("../../lib/report/models") = require("../../lib/report/models");
    const { loadStudy }: typeof import("../../lib/report/study") = require("../../lib/report/study");
    const matches = parseMatches(values.match);
    const exclude = values.exclude ? values.exclude.split(",").map((x) => x.trim()).filter(Boolean) : undefined;
    const command = `stgrpo tables --results ${values.results} --out ${values.out}${exclude ? ` --exclude ${exclude.join(",")}` : ""}`;
    const study = loadStudy(values.results, {
      profile: values.profile as Profile | undefined,
      title: values.title,
      matches,
      crossModel: values["cross-model"],
      protocol: values.protocol,
      exclude,
      command,
    });
    ensureOutputDir(values.out, "--out");
    for (const line of [...study.log, ...study.results.notes]) writeErr(`stgrpo tables: ${line}\n`);
    const report: typeof import("../../lib/report/index") = require("../../lib/report/index");
    const { evaluationOptima }: typeof import("../../lib/expert/optima") = require("../../lib/expert/optima");
    /* eslint-enable @typescript-eslint/no-var-requires */
    const written = await report.writeReport(study.results, values.out, {
      paper: report.loadPaperResults(),
      matches,
      figures: !values["no-figures"],
      curves: study.curves,
      optima: evaluationOptima(), // ~1 s: the planner on the paper's 40 evaluation layouts
    });
    const cmp = written.comparison ? report.summarizeComparison(written.comparison) : null;
    if (values.json) {
      printJson({
        out: path.resolve(values.out),
        files: written.files,
        episodes: study.results.episodes,
        models: study.results.models,
        tasks: study.results.tasks,
        comparison: cmp,
      });
    } else {
      const r = study.results;
      writeOut(
        `wrote ${written.files.length} files to ${values.out} (${r.episodes} episodes; ${r.tasks.length} tasks × ${r.models.length} models` +
          `${r.crossModel ? `; Tables 2–4: ${r.crossModel}` : "; no model with a trained_on, so no Tables 2–4"})\n` +
          (cmp ? `SR beside the paper: ${cmp.paired} paired cells, ${cmp.withinNoise} within noise, ${cmp.oursHigher} ours higher, ${cmp.oursLower} ours lower\n` : ""),
      );
    }
    return 0;
  },
};
