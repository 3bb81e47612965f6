/**
 * `stgrpo reward --expert ACTION` — the single-turn reward of one model completion read from stdin:
 * 0.1·format + 0.9·(parsed action = expert action). See notes/agent.md for the exact rule.
 */
import * as fs from "node:fs";
import { Command, printJson } from "../command";
import { flagTable, parseFlags, usageText } from "../flags";
import { writeOut } from "../output";
import { readInputFile } from "../../lib/util/files";
import { UserError } from "../../lib/util/errors";
import { scoreReply } from "../../lib/agent/parse";

const FLAGS = flagTable({
  expert: { type: "string", arg: "ACTION", help: "the expert's action (required)" },
  valid: { type: "strings", arg: "ACTION", help: "a valid action of the state (repeatable)" },
  "valid-actions": { type: "string", arg: "FILE", help: "the valid actions, one per line, or an observation text (its \"Valid Actions:\" block is used), or a JSON array of strings" },
  acceptable: { type: "strings", arg: "ACTION", help: "another action that also counts as correct (repeatable)" },
  json: { type: "boolean", help: "print {\"reward\",\"format\",\"correct\",\"action\",\"error\"}" },
});

const usage = usageText({
  synopsis: `usage: stgrpo reward --expert ACTION [--valid ACTION]... [--valid-actions FILE]
                     [--acceptable ACTION]... [--json]`,
  about: `Read one model completion on stdin and print its single-turn reward,
0.1·format + 0.9·(parsed action == ACTION):
  1    well formed, and the action is the expert's
  0.1  well formed, and the action is valid but not the expert's
  0    no "Reasoning:" line with text, no "Action:" line after it with an action, or an invalid action`,
  flags: FLAGS,
  after: `Without --valid/--valid-actions the state's valid actions are unknown and every well-formed
action counts as valid (the expert's action is always taken to be valid).`,
});

/** Valid actions from a file: a JSON array, an observation's "Valid Actions:" block, or one per line. */
function readValidActions(file: string): string[] {
  const text = readInputFile(file, "--valid-actions");
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    let arr: unknown;
    try {
      arr = JSON.parse(trimmed);
    } catch (e: any) {
      throw new UserError(`${file} is not valid JSON: ${e.message}`);
    }
    if (!Array.isArray(arr) || !arr.every((a) => typeof a === "string")) throw new UserError(`${file}: expected a JSON array of strings`);
    return arr as string[];
  }
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const start = lines.indexOf("Valid Actions:");
  if (start >= 0) {
    const out: string[] = [];
    for (const line of lines.slice(start + 1)) {
      if (line === "" || line.startsWith("Goal:")) break;
      out.push(line);
    }
    return out;
  }
  return lines.filter((l) => l.trim() !== "");
}

export const reward: Command = {
  name: "reward",
  summary: "score one completion (stdin) with the single-turn reward",
  usage,
  flags: [FLAGS],
  async run(argv) {
    const { values } = parseFlags(argv, FLAGS, { positionals: false });
    if (values.expert === undefined) throw new UserError("--expert ACTION is required");
    const expert = values.expert;
    if (expert.trim() === "") throw new UserError("--expert must be a non-empty action");
    let valid: string[] | null = null;
    if (values.valid.length || values["valid-actions"]) {
      valid = [...values.valid, ...(values["valid-actions"] ? readValidActions(values["valid-actions"]) : [])];
      if (!valid.includes(expert)) throw new UserError(`the expert action "${expert}" is not among the ${valid.length} valid actions given`);
    }
    const completion = fs.readFileSync(0, "utf8");
    const r = scoreReply(completion, expert, valid, { acceptable: values.acceptable });
    if (values.json) printJson(r);
    else writeOut(`${r.reward}\n`);
    return 0;
  },
};
