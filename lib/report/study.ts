/**
 * The entry point the notebook and `stgrpo tables` call: load a results directory into a ResultSet
 * titled with the profile that produced it (CPU-scale results are never presented as the paper's),
 * with its learning curves.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "../util/errors";
import { PROFILES, Profile, REPO_ROOT, repoPath } from "../util/profile";
import { summarizeEpisodes, SummarizeOptions } from "./aggregate";
import { CurvePoint, loadCurves } from "./curves";
import { describeScan, scanResults, ScannedResults, selectProtocol } from "./load";
import type { ResultSet } from "./types";

/** The title every table of a profile carries, so CPU numbers are never read as the paper's. */
export function profileTitle(profile: Profile | null, source = ""): string {
  switch (profile) {
    case "ci":
      return "CI smoke run (profile ci, tiny settings) — not a result";
    case "cpu":
      return "CPU-scale study (profile cpu) — not the paper's GPU numbers";
    case "paper":
      return "Paper-protocol reproduction (profile paper, GPU)";
    default:
      return `Our run (${source || "episodes"})`;
  }
}

/** The profile a results directory belongs to: results/<profile>[/…] under any root. */
export function inferProfile(dir: string): Profile | null {
  const parts = path.resolve(dir).split(path.sep);
  for (let i = parts.length - 1; i > 0; i--) {
    if (parts[i - 1] === "results" && (PROFILES as readonly string[]).includes(parts[i])) return parts[i] as Profile;
  }
  return null;
}

export interface Study {
  scan: ScannedResults;
  results: ResultSet;
  curves: CurvePoint[];
  /** What was read and skipped, one line each (stderr in the CLI). */
  log: string[];
}

export interface StudyOptions extends Omit<SummarizeOptions, "title" | "profile" | "source"> {
  profile?: Profile | null;
  title?: string;
  /** Which protocol's episodes (load.ts `selectProtocol`): paper (default when present), extended, custom, all. */
  protocol?: string;
  /** Sub-trees of the results directory to leave out (another study's tree inside it: `cookingworld`, `comparison`). */
  exclude?: string[];
}

/** Read every episode JSONL under `dir` into a titled ResultSet; UserError when there are none. */
export function loadStudy(dir: string, opts: StudyOptions = {}): Study {
  return studyFromScan(dir, scanResults(dir, opts.exclude), opts);
}

/** loadStudy on files already scanned (loadProfileStudy scans first to see whether there are any). */
function studyFromScan(dir: string, scan: ScannedResults, opts: StudyOptions): Study {
  const { protocol, exclude: _exclude, ...summarize } = opts;
  const log = describeScan(scan);
  if (!scan.episodes.length) throw new UserError(`no episodes found under ${dir} (looked for episode JSONL: {run, model, task, success, steps, …})`);
  const { kept, choice, setAside } = selectProtocol(scan.episodes, protocol);
  if (!kept.length) throw new UserError(`no episodes of protocol "${choice}" under ${dir} (found: ${Object.keys(setAside).join(", ")})`);
  const notes = [...(opts.notes ?? [])];
  if (Object.keys(setAside).length) {
    notes.push(`Protocol ${choice}: ${Object.entries(setAside).map(([p, n]) => `${n} episode(s) of protocol ${p}`).join(", ")} set aside (\`--protocol\` chooses).`);
  }
  const profile = opts.profile === undefined ? inferProfile(dir) : opts.profile;
  const source = repoPath(path.resolve(dir));
  const results = summarizeEpisodes(kept, {
    ...summarize,
    notes,
    title: opts.title ?? profileTitle(profile, source),
    profile,
    source,
  });
  return { scan, results, curves: loadCurves(scan.trainingFiles, dir), log };
}

/**
 * The report's test fixture (made-up episodes of every kind the tables handle): what the ci profile's
 * notebook shows when results/ci has no episodes yet, so that every cell still runs in `make test`.
 */
export const REPORT_FIXTURE = path.join(REPO_ROOT, "test", "fixtures", "report", "study");

export interface ProfileStudy {
  study: Study | null;
  /** True when `study` is the fallback (the fixture), not the profile's results. */
  fallback: boolean;
  /** What was read, or why there is nothing (Markdown, for the notebook). */
  message: string;
}

/**
 * The study of a results directory (`results/<profile>`) for the notebook: loadStudy when it has
 * episodes; else the `fallback` directory when one is given (titled as a fixture, never as a result);
 * else no study and the reason. Malformed files are still errors.
 */
export function loadProfileStudy(dir: string, opts: StudyOptions & { fallback?: string | null } = {}): ProfileStudy {
  const { fallback, ...rest } = opts;
  const rel = repoPath(path.resolve(dir));
  let reason: string;
  if (!fs.existsSync(dir)) reason = `\`${rel}\` does not exist yet`;
  else {
    const scan = scanResults(dir, rest.exclude);
    if (scan.episodes.length) {
      const study = studyFromScan(dir, scan, rest);
      return { study, fallback: false, message: `**${study.results.title}.** ${study.log.join("; ")}.` };
    }
    reason = `\`${rel}\` has no episode JSONL yet`;
  }
  if (!fallback) return { study: null, fallback: false, message: `${reason}: no tables from it.` };
  const fx = repoPath(path.resolve(fallback));
  const command = rest.command?.replace(/--results \S+/, `--results ${fx}`);
  const study = loadStudy(fallback, { ...rest, command, title: "Test fixture (made-up episodes) — not a result", profile: null });
  return { study, fallback: true, message: `${reason}, so this run shows the report's test fixture \`${fx}\` instead: made-up episodes that exercise every rule (— cells, early failures, several training seeds), **not a result**.` };
}
