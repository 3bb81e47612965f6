/**
 * The paper profile's list of served models (lib/workflows/served-models.ts): the four prompted baselines with
 * Robotouille's ReAct prompt, then the trained rows of every task whose trainer run finished, with the
 * prompt they were trained on and the paper's row names (lib/report matches them without --match).
 * Serving and evaluating them end to end is smoke 4/4 in trainer-e2e.test.ts.
 */
import test from "ava";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { paperModelSpecs, paperModelsSection, servedEpisodeFile } from "../lib/workflows/served-models";
import { DATASET_PROMPT_CONFIG } from "../lib/dataset/rows";
import { paperProtocol } from "../lib/eval/protocol";
import { paperModelFor } from "../lib/report/models";

function trainerTree(finished: string[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-trainer-tree-"));
  for (const run of finished) fs.mkdirSync(path.join(root, run, "final"), { recursive: true });
  fs.mkdirSync(path.join(root, "burger", "grpo", "checkpoint-2"), { recursive: true }); // unfinished: no final/
  return root;
}

test("paperModelSpecs: four baselines with the ReAct example, then only finished trained runs, as the paper's rows", (t) => {
  const root = trainerTree(["burger/sft", "cheese_burger/sft", "cheese_burger/grpo"]);
  const specs = paperModelSpecs("paper", { trainerDir: root });
  t.deepEqual(
    specs.map((s) => [s.name, s.trainedOn]),
    [
      ["Qwen2.5-1.5b", null],
      ["Qwen2.5-3b", null],
      ["Qwen2.5-7b", null],
      ["Qwen2.5-14b", null],
      ["Qwen2.5-1.5b (w/ SFT)", "burger"],
      ["Qwen2.5-1.5b (w/ SFT)", "cheese_burger"],
      ["Qwen2.5-1.5b (w/ SFT & GRPO)", "cheese_burger"],
    ],
  );
  t.is(specs[2].model, "Qwen/Qwen2.5-7B-Instruct");
  t.true(specs.slice(0, 4).every((s) => s.prompt.inContextExample === true));
  t.true(specs.slice(4).every((s) => s.prompt.inContextExample === DATASET_PROMPT_CONFIG.inContextExample && s.model.endsWith(path.join("final"))));
  // Every label is a row of the paper's Table 1 to lib/report.
  t.deepEqual(specs.map((s) => paperModelFor(s.name)), specs.map((s) => s.name));
  // Trained rows keep one file per training task.
  const dir = "/r/eval";
  t.is(servedEpisodeFile(dir, paperProtocol(), specs[5]), "/r/eval/paper/served/cheese_burger/qwen2.5-1.5b-w-sft.jsonl");
  t.is(servedEpisodeFile(dir, paperProtocol(), specs[0]), "/r/eval/paper/served/qwen2.5-1.5b.jsonl");
});

test("paperModelsSection outside the paper profile serves nothing and lists what the paper profile would", async (t) => {
  const root = trainerTree(["burger/grpo"]);
  const section = await paperModelsSection("ci", paperProtocol(), { dir: path.join(root, "eval"), trainerDir: root });
  t.deepEqual(section.results, []);
  t.regex(section.markdown, /^Profile ci: nothing is served here/);
  t.regex(section.markdown, /\| Qwen2\.5-14b \| `Qwen\/Qwen2\.5-14B-Instruct` \| — \| ReAct \+ in-context example \|/);
  t.regex(section.markdown, /\| Qwen2\.5-1\.5b \(w\/ SFT & GRPO\) \| `.*burger\/grpo\/final` \| burger \| the dataset prompt \(no example\) \|/);
  t.false(fs.existsSync(path.join(root, "eval")));
});
