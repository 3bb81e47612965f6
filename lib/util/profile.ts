/**
 * Profiles (docs/design.md): `ci` = tiny settings for `make test`, `cpu` = the laptop study of
 * `make reproduce` (default), `paper` = the GPU reproduction. Notebooks read PROFILE from the
 * environment because the tslab kernel has no papermill-style parameters.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "./errors";

export const PROFILES = ["ci", "cpu", "paper"] as const;
export type Profile = (typeof PROFILES)[number];

export function currentProfile(env: NodeJS.ProcessEnv = process.env): Profile {
  const p = env.PROFILE ?? "cpu";
  if (!(PROFILES as readonly string[]).includes(p)) {
    throw new UserError(`unknown PROFILE "${p}" (expected one of ${PROFILES.join(", ")})`);
  }
  return p as Profile;
}

/**
 * The repository root, found from this file's real location (lib/util → ../..). realpath because
 * notebooks reach lib through the notebooks/lib symlink (tslab compiles only files under its cwd).
 */
export const REPO_ROOT = path.resolve(fs.realpathSync(__dirname), "..", "..");

/**
 * A path as shown to a reader (a notebook output, a table's source line, a log): relative to the
 * repository root when it lies inside it (`results/cpu/eval`), so that outputs never carry the
 * absolute paths of the machine that ran them. A relative path is returned as given (it is already
 * what the caller means), and a path outside the repository stays absolute (it names the user's file).
 */
export function repoPath(p: string): string {
  if (!path.isAbsolute(p)) return p;
  const rel = path.relative(REPO_ROOT, p);
  if (rel === "") return ".";
  return rel.startsWith("..") || path.isAbsolute(rel) ? p : rel;
}

/** `value` with every string that is an absolute path inside the repository made relative (for printing configs and path records). */
export function repoPaths<T>(value: T): T {
  if (typeof value === "string") return repoPath(value) as T;
  if (Array.isArray(value)) return value.map(repoPaths) as T;
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, repoPaths(v)])) as T;
  return value;
}

/** Where a profile's generated runs go: results/<profile>/… */
export function resultsDir(profile: Profile = currentProfile(), ...parts: string[]): string {
  return path.join(REPO_ROOT, "results", profile, ...parts);
}

/** Where a profile's figures and tables go: paper-figures/<profile>/… */
export function figuresDir(profile: Profile = currentProfile(), ...parts: string[]): string {
  return path.join(REPO_ROOT, "paper-figures", profile, ...parts);
}

/** Pick the value for the current profile: `byProfile({ci: 2, cpu: 50, paper: 500})`. */
export function byProfile<T>(values: Record<Profile, T>, profile: Profile = currentProfile()): T {
  return values[profile];
}
