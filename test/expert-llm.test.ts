/**
 * The LLM expert (the paper's rejection sampling) against a scripted OpenAI-compatible server on
 * loopback: successes are kept (optionally only minimal-length ones), the log resumes, and the CLI
 * writes the same dataset formats as the planner.
 */
import test from "ava";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { EndpointPolicy } from "../lib/agent/endpoint";
import { readJsonl } from "../lib/util/files";
import { expertTrajectory, validateTrajectory } from "../lib/expert/index";
import { loadExpertTrajectories, singleTurnRows, trainingLayouts } from "../lib/dataset/index";
import { rejectionSample } from "../lib/workflows/llm-expert";
import { ChatRequestRecord, observationOf, reactReply, startOpenAIServer } from "./helpers/openaiServer";

const run = promisify(execFile);
const BIN = path.join(__dirname, "..", "bin", "stgrpo");

/**
 * A scripted "LLM": answers with the planner's action for the observation, except that the first
 * time it sees a layout's start (no history yet) it wastes a step with "Do nothing" — so its first
 * episode on a layout succeeds one step late and its second is minimal.
 */
function scriptedExpert(task: string, layouts: { seed: number }[]) {
  const actionAt = new Map<string, string>();
  const starts = new Set<string>();
  for (const { seed } of layouts) {
    const { trajectory } = expertTrajectory(task, seed);
    trajectory.steps.forEach((s, i) => {
      actionAt.set(s.observation, s.action);
      if (i === 0) starts.add(s.observation);
    });
  }
  const wasted = new Set<string>();
  return (req: ChatRequestRecord) => {
    const obs = observationOf(req);
    const fresh = !req.messages.some((m) => m.content.startsWith("Previous Observation"));
    if (fresh && starts.has(obs) && !wasted.has(obs)) {
      wasted.add(obs);
      return { reply: reactReply("Do nothing", "I first look around.") };
    }
    const action = actionAt.get(obs);
    return { reply: action ? reactReply(action, `The planner's next step is ${action}.`) : "no idea" };
  };
}

test("rejection sampling keeps successes; --minimal keeps only optimal-length ones; the log resumes", async (t) => {
  const layouts = trainingLayouts("burger", 3);
  const server = await startOpenAIServer({ script: scriptedExpert("burger", layouts) });
  try {
    const makePolicy = () => new EndpointPolicy({ endpoint: server.url, model: "test-model", retries: 0, prompt: { inContextExample: false } });
    const any = await rejectionSample(makePolicy, "burger", layouts, { attempts: 3 });
    t.is(any.length, 3);
    for (const r of any) {
      t.is(r.attempts, 1);
      t.is(r.successes, 1);
      t.false(r.trajectory!.optimal);
      t.is(r.trajectory!.length, r.optimal_length + 1);
      t.is(r.trajectory!.steps[0].action, "Do nothing");
      t.is(r.trajectory!.expert, "llm:test-model");
      validateTrajectory(r.trajectory, "llm");
      t.is(singleTurnRows(r.trajectory!).length, r.trajectory!.length);
    }
    // Minimal only: the first episode (one step too long) is rejected, the second kept. Every start was
    // already "wasted" once above, so reset the script by using a fresh server.
  } finally {
    await server.close();
  }
  const server2 = await startOpenAIServer({ script: scriptedExpert("burger", layouts) });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-llm-"));
  const log = path.join(dir, "log.jsonl");
  try {
    const makePolicy = () => new EndpointPolicy({ endpoint: server2.url, model: "test-model", retries: 0, prompt: { inContextExample: false } });
    const first = await rejectionSample(makePolicy, "burger", layouts.slice(0, 2), { attempts: 3, minimalOnly: true, log });
    t.deepEqual(first.map((r) => [r.attempts, r.successes, r.trajectory!.optimal]), [[2, 2, true], [2, 2, true]]);
    t.is(readJsonl(log).length, 2);
    const requests = server2.requests.length;
    const resumed = await rejectionSample(makePolicy, "burger", layouts, { attempts: 3, minimalOnly: true, log });
    t.is(resumed.length, 3);
    t.is(readJsonl(log).length, 3);
    // Only the third layout was played: two episodes of it.
    const third = resumed[2];
    t.is(server2.requests.length - requests, third.optimal_length + 1 + third.optimal_length);
  } finally {
    await server2.close();
  }
});

test("stgrpo expert --expert llm writes the planner's formats from the model's episodes", async (t) => {
  const layouts = trainingLayouts("burger", 2);
  const server = await startOpenAIServer({ script: scriptedExpert("burger", layouts) });
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-llm-cli-"));
  try {
    const { stdout } = await run("node", [BIN, "expert", "--expert", "llm", "--tasks", "burger", "--n", "2", "--endpoint", server.url, "--model", "test-model", "--no-example", "--minimal", "--out", root, "--json", "--quiet"]);
    const [stats] = JSON.parse(stdout);
    t.is(stats.layouts.total, 2);
    const trajs = loadExpertTrajectories("burger", { root });
    t.true(trajs.every((x) => x.optimal && x.expert === "llm:test-model"));
    t.is(readJsonl(path.join(root, "burger", "llm-log.jsonl")).length, 2);
    const down = await run("node", [BIN, "expert", "--expert", "llm", "--tasks", "burger", "--endpoint", "http://127.0.0.1:9", "--retries", "0", "--out", root]).catch((e) => e);
    t.is(down.code, 1);
    t.regex(down.stderr, /^stgrpo expert: cannot reach/);
  } finally {
    await server.close();
  }
});
