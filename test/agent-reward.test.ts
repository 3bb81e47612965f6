/**
 * The ReAct parser and the single-turn reward: the shared test vectors (data/reward_cases.jsonl,
 * which the Python trainer must pass too), the parser's rules, properties, and `stgrpo reward`.
 */
import test from "ava";
import * as fc from "fast-check";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { checkReply, feedbackMessage, parseReply, scoreReply, singleTurnReward, stripAscii } from "../lib/agent/index";

const ROOT = path.join(__dirname, "..");
interface RewardCase {
  case: string;
  completion: string;
  expert_action: string;
  valid_actions: string[];
  reward: number;
}
const CASES: RewardCase[] = fs
  .readFileSync(path.join(ROOT, "data", "reward_cases.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l.trim())
  .map((l) => JSON.parse(l));

const VALID = ["Move robot1 from table1 to table2", "Move robot1 from table1 to table3", "Pick up bottombun1 from table1 using robot1", "Do nothing"];
const EXPERT = VALID[2];

test("reward_cases.jsonl: at least 40 cases, every field present, expert among the valid actions", (t) => {
  t.true(CASES.length >= 40);
  for (const c of CASES) {
    t.is(typeof c.completion, "string");
    t.true(Array.isArray(c.valid_actions) && c.valid_actions.includes(c.expert_action), c.case);
    t.true([0, 0.1, 1].includes(c.reward), c.case);
  }
  // The file covers every outcome.
  for (const r of [0, 0.1, 1]) t.true(CASES.some((c) => c.reward === r));
});

test("singleTurnReward passes every case of reward_cases.jsonl", (t) => {
  for (const c of CASES) t.is(singleTurnReward(c.completion, c.expert_action, c.valid_actions), c.reward, c.case);
});

test("parser: reasoning and first action line, stripped", (t) => {
  t.deepEqual(parseReply("Reasoning:  plan A \n\nAction:  Do nothing  \nAction: Other"), { ok: true, reasoning: "plan A", action: "Do nothing" });
  t.deepEqual(parseReply("Reasoning: r\nAction:\n\n  Do nothing\nmore"), { ok: true, reasoning: "r", action: "Do nothing" });
  t.deepEqual(parseReply("Reasoning: r\r\nAction: Do nothing\r\n"), { ok: true, reasoning: "r", action: "Do nothing" });
  t.deepEqual(parseReply("Preamble\nReasoning: multi\nline\nAction: X"), { ok: true, reasoning: "multi\nline", action: "X" });
});

test("parser: which error, in Robotouille's order (reasoning checked first)", (t) => {
  t.like(parseReply(""), { ok: false, error: "malformed_reasoning" });
  t.like(parseReply("Action: Do nothing"), { ok: false, error: "malformed_reasoning" });
  t.like(parseReply("Reasoning:\nAction: Do nothing"), { ok: false, error: "malformed_reasoning" });
  t.like(parseReply("Reasoning:   "), { ok: false, error: "malformed_reasoning" });
  t.like(parseReply("Reasoning: r"), { ok: false, error: "malformed_action", reasoning: "r" });
  t.like(parseReply("Action: X\nReasoning: r"), { ok: false, error: "malformed_action" });
  t.like(parseReply("Reasoning: r\nAction:   \n"), { ok: false, error: "malformed_action" });
  t.like(parseReply("Reasoning: r Action: X"), { ok: false, error: "malformed_action" });
  t.like(checkReply("Reasoning: r\nAction: Finish", VALID), { ok: false, error: "invalid_action", action: "Finish" });
  t.like(checkReply("Reasoning: r\nAction: Finish", null), { ok: true, action: "Finish" });
});

test("feedback messages name the problem and, for an invalid action, the action", (t) => {
  t.regex(feedbackMessage({ error: "malformed_reasoning" }), /'Reasoning: <reasoning>'/);
  t.regex(feedbackMessage({ error: "malformed_action" }), /'Action: <action>'/);
  const m = feedbackMessage({ error: "invalid_action", action: "Fly away" });
  t.true(m.includes("'Fly away'") && /Valid Actions/.test(m));
  for (const e of ["malformed_reasoning", "malformed_action", "invalid_action"] as const) t.false(feedbackMessage({ error: e, action: "a" }).includes("\n"));
});

test("acceptable actions: any of them earns the 0.9", (t) => {
  const reply = `Reasoning: either move works.\nAction: ${VALID[0]}`;
  t.is(singleTurnReward(reply, EXPERT, VALID), 0.1);
  t.is(singleTurnReward(reply, EXPERT, VALID, { acceptable: [VALID[0], VALID[1]] }), 1);
  t.is(singleTurnReward(reply, EXPERT, VALID, { acceptable: [VALID[1]] }), 0.1);
  t.is(singleTurnReward(`Reasoning: x\nAction: ${EXPERT}`, EXPERT, VALID, { acceptable: [] }), 1);
});

test("scoreReply: breakdown, and validity unchecked when the valid actions are unknown", (t) => {
  t.deepEqual(scoreReply(`Reasoning: r\nAction: ${EXPERT}`, EXPERT, VALID), { reward: 1, format: 1, correct: 1, action: EXPERT, error: null });
  t.deepEqual(scoreReply(`Reasoning: r\nAction: Fly`, EXPERT, VALID), { reward: 0, format: 0, correct: 0, action: "Fly", error: "invalid_action" });
  t.is(scoreReply(`Reasoning: r\nAction: Fly`, EXPERT, null).reward, 0.1);
  // An expert action outside the valid list (bad data) still earns the 0.9 and no format point.
  t.is(singleTurnReward(`Reasoning: r\nAction: Fly`, "Fly", VALID), 0.9);
});

const textArb = fc.string({ unit: fc.constantFrom("a", " ", "\n", "\r", "\t", "Reasoning:", "Action:", "é", "🍔", "\u2028", EXPERT, VALID[0]), maxLength: 12 });

test("property: the reward is one of 0, 0.1, 0.9, 1 and never throws; well-formed + expert = 1", (t) => {
  fc.assert(
    fc.property(textArb, (s) => {
      const r = singleTurnReward(s, EXPERT, VALID);
      return [0, 0.1, 0.9, 1].includes(r) && r !== 0.9;
    }),
    { numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.string({ minLength: 1 }).filter((s) => stripAscii(s) !== "" && !/\n|\r|Action:/.test(s)), fc.constantFrom(...VALID), (r, a) => {
      return singleTurnReward(`Reasoning: ${r}\nAction: ${a}`, a, VALID) === 1;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test("property: newline style (LF, CRLF, CR) never changes the reward", (t) => {
  fc.assert(
    fc.property(textArb, (s) => {
      const lf = s.replace(/\r\n?/g, "\n");
      const r = singleTurnReward(lf, EXPERT, VALID);
      return singleTurnReward(lf.replace(/\n/g, "\r\n"), EXPERT, VALID) === r && singleTurnReward(lf.replace(/\n/g, "\r"), EXPERT, VALID) === r;
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test("stgrpo reward: prints the reward of the completion on stdin", (t) => {
  const bin = path.join(ROOT, "bin", "stgrpo");
  const run = (args: string[], input: string) => spawnSync(bin, ["reward", ...args], { input, encoding: "utf8" });
  let r = run(["--expert", EXPERT], `Reasoning: base first.\nAction: ${EXPERT}\n`);
  t.is(r.status, 0, r.stderr);
  t.is(r.stdout, "1\n");
  r = run(["--expert", EXPERT], `Reasoning: base first.\nAction: ${VALID[0]}\n`);
  t.is(r.stdout, "0.1\n");
  r = run(["--expert", EXPERT], `Action: ${EXPERT}\n`);
  t.is(r.stdout, "0\n");
  // With the valid actions known, an invalid action loses the format point.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-reward-"));
  const file = path.join(dir, "valid.txt");
  fs.writeFileSync(file, VALID.join("\n") + "\n");
  r = run(["--expert", EXPERT, "--valid-actions", file], "Reasoning: r\nAction: Fly\n");
  t.is(r.stdout, "0\n");
  r = run(["--expert", EXPERT], "Reasoning: r\nAction: Fly\n");
  t.is(r.stdout, "0.1\n");
  r = run(["--expert", EXPERT, "--valid", VALID[0], "--valid", EXPERT, "--json"], `Reasoning: r\nAction: ${VALID[0]}`);
  t.deepEqual(JSON.parse(r.stdout), { reward: 0.1, format: 1, correct: 0, action: VALID[0], error: null });
  // User mistakes: one line on stderr, exit 1.
  r = run([], "x");
  t.is(r.status, 1);
  t.is(r.stderr.trim().split("\n").length, 1);
  r = run(["--expert", EXPERT, "--valid", VALID[0]], "x");
  t.is(r.status, 1);
  t.regex(r.stderr, /not among the 1 valid actions/);
  fs.rmSync(dir, { recursive: true, force: true });
});

