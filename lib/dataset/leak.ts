/**
 * How often the single-turn problem is answered by the prompt itself: the dataset prompt carries the
 * previous step's reasoning as history (DATASET_PROMPT_CONFIG, one step), and the planner's `full`
 * reasoning lists the whole remaining optimal plan — so from the second step on, the expert action
 * stands in the prompt verbatim, as the step after the one just taken. This measures it on the rows
 * themselves (what the model is trained on), whatever the reasoning style or history length.
 */
import type { SingleTurnRow } from "./rows";

/** Counts over a set of rows. */
export interface LeakStats {
  rows: number;
  /** Rows whose prompt shows a previous reasoning (every row but the first of each trajectory, with history). */
  withHistory: number;
  /** Rows whose expert action is a line of a previous reasoning in the prompt (a plan step: "k. " stripped). */
  verbatim: number;
  /** …and the line right after the previous action's line in the last previous reasoning: the plan's next step. */
  nextStep: number;
}

const REASONING = "Previous Reasoning: ";
const ACTION = "\nPrevious Action: ";

/** "3. Move robot1 from table1 to table2" → "Move robot1 from table1 to table2". */
function stepText(line: string): string {
  const t = line.trim();
  const dot = t.indexOf(". ");
  return dot > 0 && /^\d+$/.test(t.slice(0, dot)) ? t.slice(dot + 2) : t;
}

/** The (reasoning, action) pairs of the prompt's history, oldest first. */
function historyTurns(row: SingleTurnRow): { reasoning: string[]; action: string }[] {
  const out: { reasoning: string[]; action: string }[] = [];
  for (const m of row.prompt) {
    if (m.role !== "assistant" || !m.content.startsWith(REASONING)) continue;
    const cut = m.content.lastIndexOf(ACTION);
    if (cut < 0) continue;
    out.push({ reasoning: m.content.slice(REASONING.length, cut).split("\n").map(stepText), action: m.content.slice(cut + ACTION.length).trim() });
  }
  return out;
}

/** Count the rows whose expert action the prompt's previous reasoning already states. */
export function historyLeak(rows: readonly SingleTurnRow[]): LeakStats {
  const s: LeakStats = { rows: rows.length, withHistory: 0, verbatim: 0, nextStep: 0 };
  for (const row of rows) {
    const turns = historyTurns(row);
    if (!turns.length) continue;
    s.withHistory++;
    if (turns.some((h) => h.reasoning.includes(row.expert_action))) s.verbatim++;
    const last = turns[turns.length - 1];
    if (last.reasoning.some((line, j) => j > 0 && line === row.expert_action && last.reasoning[j - 1] === last.action)) s.nextStep++;
  }
  return s;
}
