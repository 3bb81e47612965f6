/**
 * Profiles (DESIGN.md): `ci` = tiny settings for `make test`, `cpu` = the laptop study of
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
