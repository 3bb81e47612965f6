/**
 * Find the episodes under a results directory. Every `*.jsonl` file below it is sorted by shape from its
 * first record: episode records (docs/design.md's contract: run, model, task, success, steps, …), training
 * metrics (`step` plus other numbers such as loss or reward: `metrics.jsonl` of lib/learn, the trainer's
 * logs) kept for learning curves, and anything else (expert trajectories, single-turn datasets, traces)
 * skipped with a reason. Only the first line is read to decide, so large datasets cost nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "../util/errors";
import { readJsonlContents } from "../util/files";
import { repoPath } from "../util/profile";
import { EPISODE_TABLE_FIELDS, validateEpisode } from "../eval/episode";

/** The fields of an episode record the tables use (the episode record (docs/design.md)). */
export interface EpisodeLike {
  run: string;
  model: string;
  trained_on?: string | null;
  task: string;
  seed?: number | null;
  success: boolean;
  steps: number;
  timeout?: number;
  /** lib/eval's protocol name: "paper", "extended-100", "custom" (absent in older files). */
  protocol?: string;
}


export type JsonlKind = "episodes" | "training" | "other";

/** What a JSON record is: an episode, a training-metrics record, or something else. */
export function classifyRecord(r: unknown): { kind: JsonlKind; reason: string } {
  if (!r || typeof r !== "object" || Array.isArray(r)) return { kind: "other", reason: "first record is not a JSON object" };
  const o = r as Record<string, unknown>;
  // Traces carry run, model, task and success too, with the turns instead of the counts.
  if ("turns" in o) return { kind: "other", reason: "episode traces" };
  const missing = EPISODE_TABLE_FIELDS.filter((f) => !(f in o));
  if (missing.length === 0 && typeof o.success === "boolean") return { kind: "episodes", reason: "episode records" };
  // Training metrics: `{step, …numbers}` (lib/learn's metrics.jsonl, the Python trainer's log).
  if (typeof o.step === "number" && Object.keys(o).some((k) => k !== "step" && typeof o[k] === "number")) return { kind: "training", reason: "training metrics" };
  if ("prompt" in o && "completion" in o) return { kind: "other", reason: "single-turn dataset" };
  if (Array.isArray(o.steps) && "task" in o) return { kind: "other", reason: "expert trajectories" };
  return { kind: "other", reason: `not episode records (no ${missing.join(", ") || "boolean success"})` };
}

/** The first non-empty line of a file, read in chunks (a dataset may be large). */
export function firstLine(file: string): string | null {
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.alloc(64 * 1024);
    let text = "";
    let pos = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      pos += n;
      text += buf.toString("utf8", 0, n);
      const lines = text.split("\n");
      const done = lines.slice(0, -1).find((l) => l.trim() !== "");
      if (done !== undefined) return done;
      if (text.length > 64 * 1024 * 1024) break;
    }
    return text.trim() === "" ? null : text.split("\n").find((l) => l.trim() !== "") ?? null;
  } finally {
    fs.closeSync(fd);
  }
}

/** Every `*.jsonl` under `dir`, sorted (so the result is the same on every machine). */
export function listJsonl(dir: string, exclude: readonly string[] = []): string[] {
  const out: string[] = [];
  const skip = new Set(exclude.map((x) => path.join(dir, x)));
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!skip.has(p)) walk(p);
      } else if (e.isFile() && e.name.endsWith(".jsonl")) out.push(p);
    }
  };
  walk(dir);
  return out;
}

export interface ScannedResults {
  dir: string;
  episodes: EpisodeLike[];
  episodeFiles: string[];
  trainingFiles: string[];
  skipped: { file: string; reason: string }[];
  /** Episodes dropped because an earlier file held the same episode with the same outcome. */
  duplicates: number;
  /** Which files repeated which (the copy, the file it repeats, how many episodes). */
  copies: { file: string; of: string; episodes: number }[];
  /** Episode files whose last line was torn (a writer killed mid-line): the line, left out. */
  torn: { file: string; line: number; bytes: number }[];
}

/** What the tables take from an episode: two records of the same episode must agree on it. */
function outcome(e: EpisodeLike): string {
  return JSON.stringify([e.success, e.steps, e.timeout ?? null]);
}

function describeOutcome(e: EpisodeLike): string {
  return `${e.success ? "success" : "failure"} in ${e.steps} step(s)${e.timeout !== undefined && e.timeout !== null ? ` (timeout ${e.timeout})` : ""}`;
}

/**
 * What makes two records the same episode: lib/eval's resume key plus the protocol. The extended
 * protocol replays the paper's ten seeds first, often under the same run id, and those are episodes of
 * another protocol, not copies.
 */
export function episodeIdentity(e: EpisodeLike): string {
  return JSON.stringify([e.protocol ?? null, e.run, e.model, e.trained_on ?? null, e.task, e.seed ?? null]);
}

/**
 * Which evaluation protocol's episodes make the tables. The paper's tables are the paper protocol (its
 * four tasks, ten seeds): `"paper"` keeps episodes of protocol "paper" and those that name none; a
 * prefix keeps its protocols (`extended` → "extended-100"); `"all"` keeps everything. Default: `"paper"`
 * when any episode names the paper protocol, else `"all"`. Mixing protocols would pool, say, the ten
 * paper layouts with a hundred extended ones as if they were two training seeds.
 */
export function selectProtocol(episodes: EpisodeLike[], protocol?: string): { kept: EpisodeLike[]; choice: string; setAside: Record<string, number> } {
  const choice = protocol ?? (episodes.some((e) => e.protocol === "paper") ? "paper" : "all");
  const keep = (e: EpisodeLike) => choice === "all" || (e.protocol === undefined ? choice === "paper" : e.protocol === choice || e.protocol.startsWith(`${choice}-`));
  const setAside: Record<string, number> = {};
  for (const e of episodes) if (!keep(e)) setAside[e.protocol ?? "(none)"] = (setAside[e.protocol ?? "(none)"] ?? 0) + 1;
  return { kept: episodes.filter(keep), choice, setAside };
}

/**
 * Read every episode file under `dir` (recursively). Missing dir: UserError. The same episode in two
 * places (files or lines) counts once when both agree on its outcome (the copies are reported), and is
 * an error naming both places when they do not: which one counted would decide the tables (before, the
 * file name order did, and renaming a file flipped an SR between 0 and 1).
 */
/** Every JSONL under `dir` (but the sub-trees `exclude` names, relative to it), classified and de-duplicated. */
export function scanResults(dir: string, exclude: readonly string[] = []): ScannedResults {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new UserError(`results directory ${dir} does not exist`);
  }
  if (!stat.isDirectory()) throw new UserError(`${dir} is not a directory`);
  const out: ScannedResults = { dir, episodes: [], episodeFiles: [], trainingFiles: [], skipped: [], duplicates: 0, copies: [], torn: [] };
  const seen = new Map<string, { episode: EpisodeLike; where: string; file: string }>();
  const rel = (f: string) => path.relative(dir, f) || f;
  for (const file of listJsonl(dir, exclude)) {
    const line = firstLine(file);
    if (line === null) {
      out.skipped.push({ file, reason: "empty" });
      continue;
    }
    let first: unknown;
    try {
      first = JSON.parse(line);
    } catch {
      out.skipped.push({ file, reason: "first line is not JSON" });
      continue;
    }
    const { kind, reason } = classifyRecord(first);
    if (kind === "training") {
      out.trainingFiles.push(file);
      continue;
    }
    if (kind === "other") {
      out.skipped.push({ file, reason });
      continue;
    }
    out.episodeFiles.push(file);
    const { records, torn } = readJsonlContents<any>(file);
    if (torn) out.torn.push({ file, ...torn });
    const copiesOf = new Map<string, number>();
    records.forEach((r, i) => {
      const where = `${file}:${i + 1}`;
      const e: EpisodeLike = validateEpisode(r, where, EPISODE_TABLE_FIELDS);
      const id = episodeIdentity(e);
      const before = seen.get(id);
      if (!before) {
        seen.set(id, { episode: e, where, file });
        out.episodes.push(e);
        return;
      }
      if (outcome(before.episode) !== outcome(e)) {
        throw new UserError(
          `conflicting episodes: ${e.model} on ${e.task} seed ${e.seed ?? "default"} (run ${e.run}, protocol ${e.protocol ?? "none"}) is a ` +
            `${describeOutcome(before.episode)} in ${rel(before.where)} and a ${describeOutcome(e)} in ${rel(where)}: ` +
            `keep one of the two files (or give them different run ids)`,
        );
      }
      out.duplicates++;
      copiesOf.set(before.file, (copiesOf.get(before.file) ?? 0) + 1);
    });
    for (const [of, episodes] of copiesOf) out.copies.push({ file, of, episodes });
  }
  return out;
}

/**
 * What was read and what was not, for stderr / the notebook: every skipped file and every copy is
 * named (grouped by reason), every torn last line too.
 */
export function describeScan(s: ScannedResults): string[] {
  const rel = (f: string) => path.relative(s.dir, f) || f;
  const shown = repoPath(path.resolve(s.dir));
  const lines = [`read ${s.episodes.length} episodes from ${s.episodeFiles.length} file(s) under ${shown}`];
  for (const c of s.copies) lines.push(`dropped ${c.episodes} duplicate episode(s) of ${rel(c.file)} already in ${rel(c.of)} (same protocol, run, model, trained_on, task, seed and outcome)`);
  for (const t of s.torn) lines.push(`${rel(t.file)}: left out its torn last line ${t.line} (${t.bytes} bytes, a run killed mid-write; rerun it to complete)`);
  if (s.trainingFiles.length) lines.push(`training metrics (learning curves): ${s.trainingFiles.length} file(s)`);
  const byReason = new Map<string, string[]>();
  for (const k of s.skipped) byReason.set(k.reason, [...(byReason.get(k.reason) ?? []), rel(k.file)]);
  for (const [reason, files] of byReason) lines.push(`skipped ${files.length} file(s), ${reason}: ${files.join(", ")}`);
  return lines;
}
