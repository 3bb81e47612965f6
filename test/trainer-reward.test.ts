/**
 * The Python reward (trainer/reward.py) is the twin of lib/agent's: beyond the shared vectors
 * (data/reward_cases.jsonl, checked by both test suites), both score the same few hundred generated
 * replies identically — reward, both parts, the parsed action and the error kind.
 */
import test from "ava";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { makeKitchen } from "../lib/kitchen/index";
import { scoreReply } from "../lib/agent/parse";
import { REPO_ROOT } from "../lib/util/profile";
import { trainerPython } from "../lib/trainer-client/gpu";

/** mulberry32: a small seeded PRNG, so the generated cases are the same on every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  completion: string;
  expert_action: string;
  valid_actions: string[];
  acceptable?: string[];
}

function generatedCases(n: number): Case[] {
  const r = rng(20250920);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const states = ["burger", "cheese_sandwich", "double_cheese_burger"].flatMap((task) => {
    const k = makeKitchen(task, null);
    const out = [{ valid: k.validActions() }];
    for (let i = 0; i < 3; i++) {
      k.step(k.validActions()[0]);
      out.push({ valid: k.validActions() });
    }
    return out;
  });
  const reasoningMarkers = ["Reasoning:", "Reasoning:", "Reasoning:", "reasoning:", "**Reasoning:**", "Reasoning :", " Reasoning:", "Reasoning："];
  const actionMarkers = ["Action:", "Action:", "Action:", "action:", "**Action:**", "Action :", "\tAction:"];
  const seps = ["\n", "\n", "\r\n", "\r", " ", "\n\n", "\t", "\u2028", "\n \n"];
  const reasonings = ["plan first", "", "   ", "go\nthen stack", "a\u00a0b", "x\fy\v", "🍔 then 🧀", "Action: inside"];
  const cases: Case[] = [];
  for (let i = 0; i < n; i++) {
    const { valid } = pick(states);
    const expert = pick(valid);
    const other = pick(valid);
    const action = pick([expert, expert, other, `${expert}.`, `"${expert}"`, expert.toLowerCase(), `${expert}\u00a0`, ` ${expert} `, "Fly away", `1. ${expert}`, `${expert}\nAction: ${other}`]);
    const parts = [pick(reasoningMarkers), pick([" ", "", "\n"]), pick(reasonings), pick(seps), pick(actionMarkers), pick([" ", "", "\n", "\n\n  "]), action];
    if (r() < 0.15) parts.reverse();
    if (r() < 0.1) parts.unshift(pick(["Sure!\n", "```\n", "Thought: x\n"]));
    const c: Case = { completion: parts.join(""), expert_action: expert, valid_actions: valid };
    if (r() < 0.2) c.acceptable = [other];
    cases.push(c);
  }
  return cases;
}

test("the Python reward scores generated replies exactly as the TypeScript reward", (t) => {
  const python = trainerPython();
  if (!fs.existsSync(python)) t.fail(`no trainer venv at ${python}: run \`make setup-trainer\``);
  const cases = generatedCases(400);
  const out = spawnSync(python, ["-m", "trainer", "reward"], {
    cwd: REPO_ROOT,
    input: cases.map((c) => JSON.stringify(c)).join("\n") + "\n",
    encoding: "utf8",
  });
  t.is(out.status, 0, out.stderr);
  const py = out.stdout.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
  t.is(py.length, cases.length);
  const kinds = new Set<string>();
  cases.forEach((c, i) => {
    const ts = scoreReply(c.completion, c.expert_action, c.valid_actions, { acceptable: c.acceptable });
    kinds.add(`${ts.reward}:${ts.error}`);
    t.deepEqual(py[i], { reward: ts.reward, format: ts.format, correct: ts.correct, action: ts.action, error: ts.error }, JSON.stringify(c.completion));
  });
  // The generator reaches every outcome, so the agreement is not only on easy cases.
  for (const k of ["1:null", "0.1:null", "0:invalid_action", "0:malformed_reasoning", "0:malformed_action"]) t.true(kinds.has(k), k);
});
