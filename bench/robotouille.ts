/**
 * What the benches need to run the original Robotouille engine beside ours. Nothing of the original is
 * committed: `ROBOTOUILLE_GIT` names a git directory of portal-cornell/robotouille (a clone's `.git`, or a
 * bare mirror), whose `release` branch is extracted into a temporary directory for the run.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The git directory of the original, or why the comparison is skipped. */
export function robotouilleGit(): { ok: true; gitDir: string } | { ok: false; why: string } {
  const gitDir = process.env.ROBOTOUILLE_GIT;
  if (!gitDir) return { ok: false, why: "skipped: set ROBOTOUILLE_GIT to a git directory of portal-cornell/robotouille (branch release)" };
  if (!fs.existsSync(gitDir)) return { ok: false, why: `skipped: ROBOTOUILLE_GIT=${gitDir} does not exist` };
  return { ok: true, gitDir };
}

/**
 * Run `body(dir)` with the original's engine packages extracted into a fresh temporary directory `dir`
 * (removed afterwards); a failed extraction is reported as `why`.
 */
export function withOriginal<T>(gitDir: string, prefix: string, body: (dir: string) => T): T | { ok: false; why: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  try {
    const tar = spawnSync(
      "bash",
      ["-c", `git --git-dir="$0" archive release backend domain environments robotouille utils | tar -x -C "$1"`, gitDir, dir],
      { encoding: "utf8" },
    );
    if (tar.status !== 0) return { ok: false, why: `extracting the original failed: ${tar.stderr.trim().split("\n").pop()}` };
    return body(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The original's gym / pddlgym imports stubbed (they are only used for the spaces and the PDDL parser the
 * synchronous engine never calls), and the package made importable from the extracted `root`. Inserted at
 * the top of each bench's Python harness, after `root` is set.
 */
export const ROBOTOUILLE_IMPORT_STUB = String.raw`sys.path.insert(0, root)
gym = types.ModuleType('gym'); spaces = types.ModuleType('gym.spaces')
class Text:
    def __init__(self, *a, **k): pass
class Env: pass
spaces.Text = Text; gym.spaces = spaces; gym.Env = Env
sys.modules['gym'] = gym; sys.modules['gym.spaces'] = spaces
sys.modules['utils.pddlgym_interface'] = types.ModuleType('utils.pddlgym_interface')
pkg = types.ModuleType('robotouille'); pkg.__path__ = [root + '/robotouille']; sys.modules['robotouille'] = pkg`;
