/**
 * The ReAct prompt: message structure, the observation contract (the last user message of every
 * request contains the observation verbatim), history policies, error feedback, the in-context example.
 */
import test from "ava";
import { envFamily } from "../lib/env/index";
import * as fc from "fast-check";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Kitchen } from "../lib/kitchen/kitchen";
import {
  buildMessages,
  ChatMessage,
  DEFAULT_PROMPT_CONFIG,
  instructions,
  loadInContextExample,
  mergeSameRole,
  parseInContextExample,
  parseReply,
  promptConfig,
} from "../lib/agent/index";
import { testLayouts } from "./helpers/testdata";

const burger = Kitchen.fromLayout(testLayouts()["synchronous/3_burger@default"]);
const OBS = burger.observation();

const EXAMPLE_TEXT = `
Interaction 1
---------------


Observation:
...

Valid Actions:
...

Goal: Prepare a onion cheese sandwich on a table


Reasoning: The goal is a sandwich.

1. Bread first.

Action: Move robot1 from stove1 to board1


Interaction 2
---------------


Observation:
...

Valid Actions:
...

Goal: Prepare a onion cheese sandwich on a table


Reasoning: Now pick up.

Action: Pick up lettuce1 from board1 using robot1
`;
const EXAMPLE = parseInContextExample(EXAMPLE_TEXT);
const noExample = promptConfig({ inContextExample: false });

const lastUser = (m: ChatMessage[]) => m[m.length - 1];

test("the observation is a real kitchen observation (sanity)", (t) => {
  t.true(OBS.includes("Valid Actions:\n") && OBS.includes("\n\nGoal: Prepare a hamburger on a table"));
});

test("defaults: last reasoning+action history, one in-context example, feedback shows the rejected reply", (t) => {
  t.deepEqual({ ...DEFAULT_PROMPT_CONFIG }, { historyTurns: 1, historyObservations: false, inContextExample: true, showRejectedReply: true, alternateRoles: false });
  t.throws(() => promptConfig({ historyTurns: -1 }), { instanceOf: RangeError });
  t.throws(() => promptConfig({ historyTurns: 1.5 }), { instanceOf: RangeError });
  t.notThrows(() => promptConfig({ historyTurns: Infinity }));
});

test("first request of an episode: system, instructions, observation", (t) => {
  const m = buildMessages(noExample, { observation: OBS });
  t.deepEqual(
    m.map((x) => x.role),
    ["system", "user", "user"],
  );
  t.is(m[0].content, envFamily("robotouille").prompt.system);
  t.is(m[2].content, OBS);
  // The instructions carry the protocol's information.
  const ins = m[1].content;
  for (const needle of ["Reasoning: <your reasoning>\nAction: <one action>", "Valid Actions", "Error Feedback", "exactly one of those lines", "first step of the plan", "Station", "Item", "Player", "Container", "Meal", "one Item at a time", "Sandwich:", "Hamburger:", "Soup:"]) {
    t.true(ins.includes(needle), needle);
  }
});

test("in-context example: user/assistant pairs between the instructions and the observation", (t) => {
  t.is(EXAMPLE.length, 4);
  t.deepEqual(
    EXAMPLE.map((x) => x.role),
    ["user", "assistant", "user", "assistant"],
  );
  t.is(EXAMPLE[0].content, "...\n\nValid Actions:\n...\n\nGoal: Prepare a onion cheese sandwich on a table");
  t.is(EXAMPLE[1].content, "Reasoning: The goal is a sandwich.\n\n1. Bread first.\n\nAction: Move robot1 from stove1 to board1");
  const m = buildMessages(promptConfig({ exampleMessages: EXAMPLE }), { observation: OBS });
  t.deepEqual(
    m.map((x) => x.role),
    ["system", "user", "user", "assistant", "user", "assistant", "user"],
  );
  t.deepEqual(m.slice(2, 6), EXAMPLE);
  t.is(lastUser(m).content, OBS);
});

test("history policy: none, last (default), last-k, all; observations omitted unless asked", (t) => {
  const history = [0, 1, 2, 3].map((i) => ({ action: `a${i}`, reasoning: `r${i}`, observation: `o${i}` }));
  const count = (k: number) => buildMessages(promptConfig({ inContextExample: false, historyTurns: k }), { observation: OBS, history }).length - 3;
  t.is(count(0), 0);
  t.is(count(1), 2);
  t.is(count(3), 6);
  t.is(count(Infinity), 8);
  const m = buildMessages(noExample, { observation: OBS, history });
  t.deepEqual(m.slice(2, 4), [
    { role: "user", content: "Previous Observation: omitted" },
    { role: "assistant", content: "Previous Reasoning: r3\nPrevious Action: a3" },
  ]);
  const k2 = buildMessages(promptConfig({ inContextExample: false, historyTurns: 2, historyObservations: true }), { observation: OBS, history });
  t.deepEqual(
    k2.slice(2, 6).map((x) => x.content),
    ["Previous Observation: o2", "Previous Reasoning: r2\nPrevious Action: a2", "Previous Observation: o3", "Previous Reasoning: r3\nPrevious Action: a3"],
  );
  // The instructions say what history the model sees.
  t.false(/previous (reasoning|turn)/.test(instructions({ historyTurns: 0, historyObservations: false })));
  t.true(instructions({ historyTurns: 1, historyObservations: false }).includes("reasoning and action at the previous turn"));
  t.true(instructions({ historyTurns: 3, historyObservations: true }).includes("observation, reasoning and action at the previous 3 turns"));
});

test("retry inside a step: rejected reply, then feedback + observation in the last user message", (t) => {
  const m = buildMessages(noExample, { observation: OBS, feedback: "Bad format.", rejectedReply: "I think I will move." });
  t.deepEqual(m.slice(2), [
    { role: "user", content: OBS },
    { role: "assistant", content: "I think I will move." },
    { role: "user", content: `Error Feedback: Bad format.\n${OBS}` },
  ]);
  const hidden = buildMessages(promptConfig({ inContextExample: false, showRejectedReply: false }), { observation: OBS, feedback: "Bad.", rejectedReply: "x" });
  t.is(hidden.length, 3);
  t.is(lastUser(hidden).content, `Error Feedback: Bad.\n${OBS}`);
  // An empty rejected reply is not shown as an empty assistant message.
  t.is(buildMessages(noExample, { observation: OBS, feedback: "Bad.", rejectedReply: "  " }).length, 3);
});

test("alternateRoles merges consecutive same-role messages and keeps the observation last", (t) => {
  const m = buildMessages(promptConfig({ exampleMessages: EXAMPLE, alternateRoles: true }), { observation: OBS });
  t.deepEqual(
    m.map((x) => x.role),
    ["system", "user", "assistant", "user", "assistant", "user"],
  );
  t.true(m[1].content.endsWith(EXAMPLE[0].content));
  t.true(lastUser(m).content.endsWith(OBS));
  t.deepEqual(mergeSameRole([{ role: "system", content: "s" }, { role: "system", content: "t" }]).length, 2);
});

test("contract (property): the last message is a user message containing the observation verbatim", (t) => {
  const turn = fc.record({ action: fc.string(), reasoning: fc.option(fc.string(), { nil: undefined }), observation: fc.option(fc.string(), { nil: undefined }) });
  fc.assert(
    fc.property(
      fc.string({ minLength: 1 }),
      fc.array(turn, { maxLength: 5 }),
      fc.option(fc.string(), { nil: null }),
      fc.option(fc.string(), { nil: null }),
      fc.record({
        historyTurns: fc.constantFrom(0, 1, 2, Infinity),
        historyObservations: fc.boolean(),
        inContextExample: fc.boolean(),
        showRejectedReply: fc.boolean(),
        alternateRoles: fc.boolean(),
      }),
      (observation, history, feedback, rejectedReply, c) => {
        const m = buildMessages(promptConfig({ ...c, exampleMessages: EXAMPLE }), { observation, history, feedback, rejectedReply });
        const last = m[m.length - 1];
        return last.role === "user" && last.content.endsWith(observation) && m[0].role === "system";
      },
    ),
    { numRuns: 300 },
  );
  t.pass();
});

test("an example file parses into alternating messages; a reply without an action is a clear error", (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-example-"));
  const put = (rel: string) => {
    fs.mkdirSync(path.join(root, path.dirname(rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), EXAMPLE_TEXT);
    return path.join(root, rel);
  };
  const file = put("example.txt");
  t.deepEqual(loadInContextExample(file), EXAMPLE);
  t.throws(() => loadInContextExample(path.join(root, "absent.txt")), { message: /cannot read in-context example .*absent\.txt: ENOENT/ });
  t.throws(() => parseInContextExample("Observation:\n...\n\nReasoning: r\n"), { message: /no 'Action:' line/ });
  fs.rmSync(root, { recursive: true, force: true });
});

test("the vendored Robotouille example: 22 interactions, every reply parses as a valid ReAct reply", (t) => {
  const ex = loadInContextExample();
  t.is(ex.length, 44);
  for (let i = 0; i < ex.length; i += 2) {
    t.is(ex[i].role, "user");
    t.true(ex[i].content.includes("Valid Actions:") && ex[i].content.includes("Goal: "));
    t.is(ex[i + 1].role, "assistant");
    t.true(parseReply(ex[i + 1].content).ok);
  }
  t.is((parseReply(ex[1].content) as any).action, "Move robot1 from stove1 to board1");
  t.is((parseReply(ex[43].content) as any).action, "Stack bread2 on top of cheese1 using robot1");
  const m = buildMessages(promptConfig(), { observation: OBS });
  t.is(m.length, 2 + 44 + 1);
});
