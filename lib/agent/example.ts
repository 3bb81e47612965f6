/**
 * Robotouille's in-context example for the synchronous ReAct agent (a human-annotated episode of the
 * training task `0_cheese_onion_sandwich` at seed 26, observations omitted), vendored under
 * data/robotouille/ by the kitchen-data side. It becomes alternating user/assistant messages.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../util/profile";
import { UserError } from "../util/errors";
import type { ChatMessage } from "./prompt";

export const IN_CONTEXT_EXAMPLE_FILE = "0_cheese_onion_sandwich_26.txt";
export const IN_CONTEXT_EXAMPLE_DIR = "react_examples_omitted_obs";

/** Find the vendored example file under data/robotouille (its exact sub-path is the data side's choice). */
export function findInContextExample(root = path.join(REPO_ROOT, "data", "robotouille")): string | null {
  const stack = [root];
  let fallback: string | null = null;
  while (stack.length) {
    const dir = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.name === IN_CONTEXT_EXAMPLE_FILE) {
        if (path.basename(dir) === IN_CONTEXT_EXAMPLE_DIR) return p;
        // The asynchronous or non-omitted variants share the name; only take one as a last resort.
        if (!dir.includes("asynchronous") && fallback === null && !/react_examples$/.test(dir)) fallback = p;
      }
    }
  }
  return fallback;
}

/**
 * Split an example file into (request, response) pairs: each "Observation:" block up to the next
 * "Reasoning:" line is a user message, each "Reasoning: … Action: <line>" is the assistant's reply.
 */
export function parseInContextExample(text: string): ChatMessage[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const out: ChatMessage[] = [];
  let mode: "none" | "request" | "response" = "none";
  let buf: string[] = [];
  const flush = () => {
    const content = buf.join("\n").trim();
    if (mode === "request" && content) out.push({ role: "user", content });
    if (mode === "response" && content) out.push({ role: "assistant", content });
    buf = [];
  };
  for (const line of lines) {
    if (line.startsWith("Observation:")) {
      flush();
      mode = "request";
      const rest = line.slice("Observation:".length).trim();
      if (rest) buf.push(rest);
    } else if (line.startsWith("Reasoning:") && mode === "request") {
      flush();
      mode = "response";
      buf.push(line);
    } else if (mode === "response" && line.startsWith("Action:")) {
      buf.push(line);
      flush();
      mode = "none";
    } else if (mode !== "none") {
      buf.push(line);
    }
  }
  if (mode === "request") throw new UserError("in-context example ends with an observation that has no reply");
  if (mode === "response") throw new UserError("in-context example ends with a reasoning that has no 'Action:' line");
  return out;
}

let cached: { file: string; messages: ChatMessage[] } | null = null;

/** The vendored example as chat messages (cached). A clear error when it has not been vendored. */
export function loadInContextExample(file?: string): ChatMessage[] {
  const f = file ?? findInContextExample();
  if (!f) {
    throw new UserError(
      `in-context example ${IN_CONTEXT_EXAMPLE_DIR}/${IN_CONTEXT_EXAMPLE_FILE} not found under data/robotouille ` +
        `(vendor it, or use a prompt without the example: inContextExample false / --no-example)`,
    );
  }
  if (cached && cached.file === f) return cached.messages;
  let text: string;
  try {
    text = fs.readFileSync(f, "utf8");
  } catch (e: any) {
    throw new UserError(`cannot read in-context example ${f}: ${e.code ?? e.message}`);
  }
  const messages = parseInContextExample(text);
  if (messages.length === 0) throw new UserError(`${f}: no interactions found`);
  cached = { file: f, messages };
  return messages;
}
