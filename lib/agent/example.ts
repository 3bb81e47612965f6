/**
 * Robotouille's in-context example for the synchronous ReAct agent (a human-annotated episode of the
 * training task `0_cheese_onion_sandwich` at seed 26, observations omitted), vendored under
 * data/robotouille/ (lib/kitchen's IN_CONTEXT_EXAMPLE names the file). It becomes alternating user/assistant messages.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../util/profile";
import { UserError } from "../util/errors";
import { envFamily } from "../env/index";
import type { ChatMessage } from "./types";

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

/** An example file (default: Robotouille's, vendored) as chat messages (cached); a missing file is a one-line error. */
export function loadInContextExample(file = path.join(REPO_ROOT, envFamily("robotouille").prompt.inContextExample!)): ChatMessage[] {
  const f = file;
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
