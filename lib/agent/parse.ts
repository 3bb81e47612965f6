/**
 * The ReAct reply format ("Reasoning: …" then "Action: …"), its parser, the error feedback the
 * multi-turn protocol sends back for a reply it cannot use, and the single-turn reward.
 *
 * The rule is written procedurally (no `^`/`$`/`.`/`\s`, whose meaning differs between JavaScript and
 * Python regexes) so that the Python trainer can implement it identically; notes/agent.md gives the
 * Python twin, and data/reward_cases.jsonl is the shared test vector file.
 *
 *   1. Normalise line ends: "\r\n" → "\n", then any remaining "\r" → "\n".
 *   2. A marker "starts a line" when it is at index 0 or right after "\n" (no leading spaces,
 *      case-sensitive, no markdown around it).
 *   3. R = the first "Reasoning:" that starts a line. None → malformed reasoning.
 *   4. A = the first "Action:" that starts a line at or after the end of R's marker. None → the
 *      reasoning is the rest of the text: empty (after stripping) → malformed reasoning, else
 *      malformed action.
 *   5. reasoning = strip(text between R's marker and A). Empty → malformed reasoning.
 *   6. action = the text after A's marker with leading whitespace (newlines included) removed,
 *      cut at the next "\n", then stripped. Empty → malformed action. Only the first such line
 *      counts; later "Action:" lines are ignored, earlier ones (before "Reasoning:") too.
 *   7. strip removes only the ASCII whitespace " \t\n\r\f\v" at both ends (Python: s.strip(WS)).
 *   8. A parsed action is accepted iff it equals one of the valid actions exactly (case-sensitive,
 *      no normalisation of Unicode, spaces or punctuation, no index numbers).
 */
import { PAPER } from "../config/paper";

export type ReplyError = "malformed_reasoning" | "malformed_action" | "invalid_action";

export type ParsedReply =
  | { ok: true; reasoning: string; action: string }
  | { ok: false; error: "malformed_reasoning" | "malformed_action"; reasoning?: string };

export type CheckedReply =
  | { ok: true; reasoning: string; action: string }
  | { ok: false; error: ReplyError; reasoning?: string; action?: string };

export const REASONING_MARKER = "Reasoning:";
export const ACTION_MARKER = "Action:";
/** The characters `strip` removes: ASCII whitespace only (Python's default strip set is wider). */
export const ASCII_WHITESPACE = " \t\n\r\f\v";

function isWs(ch: string): boolean {
  return ch === " " || ch === "\t" || ch === "\n" || ch === "\r" || ch === "\f" || ch === "\v";
}

/** Remove ASCII whitespace at both ends (Python: `s.strip(" \t\n\r\f\v")`). */
export function stripAscii(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWs(s[a])) a++;
  while (b > a && isWs(s[b - 1])) b--;
  return s.slice(a, b);
}

/** "\r\n" → "\n", then lone "\r" → "\n". */
export function normalizeNewlines(s: string): string {
  return s.replace(/\r\n/g, "\n").replace(/\r/g, "\n");
}

/** Index of the first occurrence of `marker` at or after `from` that starts a line, or −1. */
export function findAtLineStart(text: string, marker: string, from = 0): number {
  let i = text.indexOf(marker, from);
  while (i > 0 && text[i - 1] !== "\n") i = text.indexOf(marker, i + 1);
  return i;
}

/** Parse a reply into reasoning and action (format only; validity is checked by `checkReply`). */
export function parseReply(completion: string): ParsedReply {
  const text = normalizeNewlines(completion);
  const r = findAtLineStart(text, REASONING_MARKER);
  if (r < 0) return { ok: false, error: "malformed_reasoning" };
  const afterR = r + REASONING_MARKER.length;
  const a = findAtLineStart(text, ACTION_MARKER, afterR);
  if (a < 0) {
    const reasoning = stripAscii(text.slice(afterR));
    return reasoning ? { ok: false, error: "malformed_action", reasoning } : { ok: false, error: "malformed_reasoning" };
  }
  const reasoning = stripAscii(text.slice(afterR, a));
  if (!reasoning) return { ok: false, error: "malformed_reasoning" };
  let k = a + ACTION_MARKER.length;
  while (k < text.length && isWs(text[k])) k++;
  const eol = text.indexOf("\n", k);
  const action = stripAscii(text.slice(k, eol < 0 ? text.length : eol));
  if (!action) return { ok: false, error: "malformed_action", reasoning };
  return { ok: true, reasoning, action };
}

/**
 * Parse and check a reply against the valid actions: ok exactly when the multi-turn protocol takes
 * the reply as a step (no error feedback). `validActions` null skips the validity check.
 */
export function checkReply(completion: string, validActions: readonly string[] | null): CheckedReply {
  const p = parseReply(completion);
  if (!p.ok) return p;
  if (validActions !== null && !validActions.includes(p.action)) {
    return { ok: false, error: "invalid_action", reasoning: p.reasoning, action: p.action };
  }
  return p;
}

/**
 * The error feedback for a rejected reply (our wording of Robotouille's three messages). The next
 * request's last user message is "Error Feedback: <this>\n" followed by the observation.
 */
export function feedbackMessage(check: { error: ReplyError; action?: string }): string {
  switch (check.error) {
    case "malformed_reasoning":
      return "Your reply had no usable reasoning. Start it with a line of the form 'Reasoning: <reasoning>'.";
    case "malformed_action":
      return "Your reply had no usable action. After the reasoning, give a line of the form 'Action: <action>'.";
    case "invalid_action":
      return `'${check.action}' is not one of the valid actions. Choose an action from the Valid Actions list, written exactly as it appears there.`;
  }
}

export interface RewardOptions {
  /** Further actions that also count as correct (the "any optimal action" variant). */
  acceptable?: readonly string[];
}

export interface RewardBreakdown {
  reward: number;
  /** 1 when the protocol accepts the reply (well-formed and the action is valid). */
  format: 0 | 1;
  /** 1 when the parsed action is the expert's (or an acceptable one). */
  correct: 0 | 1;
  action: string | null;
  error: ReplyError | null;
}

/**
 * The single-turn reward with its parts. `validActions` null: validity is not checked (every
 * well-formed action counts as valid), for callers that do not know the state (the CLI without
 * `--valid-actions`).
 */
export function scoreReply(
  completion: string,
  expertAction: string,
  validActions: readonly string[] | null,
  opts: RewardOptions = {},
): RewardBreakdown {
  const p = parseReply(completion);
  if (p.ok === false) return { reward: 0, format: 0, correct: 0, action: null, error: p.error };
  const valid = validActions === null || validActions.includes(p.action);
  const correct = p.action === expertAction || (opts.acceptable?.includes(p.action) ?? false);
  const format: 0 | 1 = valid ? 1 : 0;
  const c: 0 | 1 = correct ? 1 : 0;
  return { reward: PAPER.reward.format * format + PAPER.reward.action * c, format, correct: c, action: p.action, error: valid ? null : "invalid_action" };
}

/**
 * The paper's single-turn reward: 0.1·format + 0.9·1{action = expert action}, where format = the reply
 * parses (non-empty reasoning, then a non-empty first action line) and its action is one of
 * `validActions`; "action" is the parsed action. Values: 1 (correct), 0.1 (a valid but different
 * action), 0 (malformed or invalid); 0.9 only if the expert action itself is not in `validActions`.
 * `opts.acceptable` widens "correct" to any of those actions too (e.g. every optimal action).
 */
export function singleTurnReward(
  completion: string,
  expertAction: string,
  validActions: readonly string[],
  opts: RewardOptions = {},
): number {
  return scoreReply(completion, expertAction, validActions, opts).reward;
}
