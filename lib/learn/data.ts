/**
 * The single-turn data the learners train on: (observation, valid actions, expert action) triples.
 *
 * The file format is the single-turn row record (docs/design.md) (TRL's conversational prompt–completion
 * form, shared with the Python trainer). The observation is the separate `observation` field when the
 * writer adds one, otherwise the last user message of `prompt` (which holds the observation text
 * verbatim, possibly after an "Error Feedback:" line — the scene parser skips what it does not know).
 */
import * as fs from "node:fs";
import { readJsonl } from "../util/files";
import { UserError } from "../util/errors";
import { DEFAULT_FEATURES, FeatureConfig, FeaturizedState, featurize } from "./features";

export interface SingleTurnExample {
  observation: string;
  validActions: string[];
  expertAction: string;
  /** Actions that also start a minimal plan ("any optimal action" reward), when the data has them. */
  acceptable?: string[];
  task: string;
  seed: number | null;
  t: number;
}

/** A featurised example: candidate features plus the index of the expert action. */
export interface TrainState {
  x: FeaturizedState;
  target: number;
  /** Indices of the acceptable actions (always contains target). */
  acceptable: number[];
  example: SingleTurnExample;
}

interface RawRecord {
  prompt?: { role: string; content: string }[];
  observation?: string;
  expert_action?: string;
  valid_actions?: string[];
  optimal_actions?: string[];
  task?: string;
  seed?: number | null;
  t?: number;
}

/** Parse one record of the single-turn dataset (throws UserError naming `where` on a bad record). */
export function exampleFromRecord(r: RawRecord, where: string): SingleTurnExample {
  let observation = typeof r.observation === "string" ? r.observation : undefined;
  if (observation === undefined && Array.isArray(r.prompt)) {
    const users = r.prompt.filter((m) => m && m.role === "user");
    observation = users.length ? String(users[users.length - 1].content) : undefined;
  }
  if (observation === undefined) throw new UserError(`${where}: no observation (neither an "observation" field nor a user message in "prompt")`);
  if (!Array.isArray(r.valid_actions) || r.valid_actions.length === 0) throw new UserError(`${where}: "valid_actions" must be a non-empty array`);
  if (typeof r.expert_action !== "string") throw new UserError(`${where}: "expert_action" must be a string`);
  if (!r.valid_actions.includes(r.expert_action)) throw new UserError(`${where}: expert_action ${JSON.stringify(r.expert_action)} is not among valid_actions`);
  const acceptable = Array.isArray(r.optimal_actions) ? r.optimal_actions.filter((a) => r.valid_actions!.includes(a)) : undefined;
  return {
    observation,
    validActions: r.valid_actions,
    expertAction: r.expert_action,
    acceptable,
    task: String(r.task ?? "unknown"),
    seed: r.seed ?? null,
    t: Number(r.t ?? 0),
  };
}

/** Load a single-turn dataset JSONL (docs/design.md contract). */
export function loadSingleTurn(file: string): SingleTurnExample[] {
  if (!fs.existsSync(file)) throw new UserError(`dataset ${file} does not exist`);
  const records = readJsonl<RawRecord>(file);
  if (records.length === 0) throw new UserError(`dataset ${file} is empty`);
  return records.map((r, i) => exampleFromRecord(r, `${file}:${i + 1}`));
}

/** Examples from the recorded walks format of data/testdata (`{layout, t, observation, valid_actions, action}`). */
export function examplesFromWalks(file: string): SingleTurnExample[] {
  return readJsonl<{ layout: string; t: number; observation: string; valid_actions: string[]; action: string | null }>(file)
    .filter((w) => typeof w.action === "string")
    .map((w) => {
      const [task, seed] = w.layout.replace(/^synchronous\//, "").split("@");
      return {
        observation: w.observation,
        validActions: w.valid_actions,
        expertAction: w.action as string,
        task,
        seed: seed === "default" ? null : Number(seed),
        t: w.t,
      };
    });
}

/** Featurise examples once (features do not depend on the weights). */
export function featurizeExamples(examples: SingleTurnExample[], cfg: FeatureConfig = DEFAULT_FEATURES): TrainState[] {
  return examples.map((e) => {
    const x = featurize(e.observation, e.validActions, cfg);
    const target = e.validActions.indexOf(e.expertAction);
    const acc = new Set<number>([target]);
    for (const a of e.acceptable ?? []) acc.add(e.validActions.indexOf(a));
    return { x, target, acceptable: [...acc].sort((a, b) => a - b), example: e };
  });
}
