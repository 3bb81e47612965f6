/**
 * Write the README's findings block from the tracked summaries (lib/workflows/findings.ts), or with
 * `--check` fail when the block is stale — so that the README's findings are always the tracked
 * results', never numbers typed by hand. `make reproduce` writes it; `make test` checks it.
 *
 *   npx tsx scripts/readme.ts [--check]
 *
 * The README shows the cpu profile (make reproduce's); the other profiles' summaries stay in their trees.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../lib/util/files";
import { UserError } from "../lib/util/errors";
import type { Profile } from "../lib/util/profile";
import { findingsMarkdown, withFindings } from "../lib/workflows/findings";

const README = path.resolve(__dirname, "..", "README.md");

function main(): number {
  const check = process.argv.includes("--check");
  const profile: Profile = "cpu";
  const text = fs.readFileSync(README, "utf8");
  const next = withFindings(text, findingsMarkdown(profile));
  if (next === text) return 0;
  if (check) {
    process.stderr.write("README.md's findings block is stale: run `npx tsx scripts/readme.ts` (after make reproduce)\n");
    return 1;
  }
  writeFileAtomic(README, next);
  process.stdout.write("wrote README.md's findings block\n");
  return 0;
}

try {
  process.exitCode = main();
} catch (e) {
  if (!(e instanceof UserError)) throw e;
  process.stderr.write(`scripts/readme.ts: ${e.message}\n`);
  process.exitCode = 1;
}
