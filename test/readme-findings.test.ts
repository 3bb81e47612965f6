/**
 * The README's findings block (lib/workflows/findings.ts, scripts/readme.ts): composed from the tracked
 * cpu summaries — which must exist — with the answer to both questions, and written only between its
 * markers.
 */
import test from "ava";
import * as fs from "node:fs";
import * as path from "node:path";
import { FINDINGS_BEGIN, FINDINGS_END, findingsMarkdown, findingsSources, withFindings } from "../lib/workflows/findings";

test("the findings block is built from the four tracked cpu summaries and answers both questions", (t) => {
  for (const f of Object.values(findingsSources("cpu"))) t.true(fs.existsSync(f), `${f} is tracked`);
  const md = findingsMarkdown("cpu");
  t.regex(md, /\*\*sample decoding\*\*, at the largest budget of each of the \d+ cells/);
  t.regex(md, /\*\*greedy decoding\*\*/);
  t.regex(md, /\| the paper's claim \| Robotouille \| CookingWorld \|/);
  t.notRegex(md, /NaN|undefined/);
});

test("withFindings replaces only what lies between the markers, and names a README without them", (t) => {
  const readme = `# x\n\nbefore\n${FINDINGS_BEGIN}\nold\n${FINDINGS_END}\nafter\n`;
  const next = withFindings(readme, "new");
  t.is(next, `# x\n\nbefore\n${FINDINGS_BEGIN}\nnew\n${FINDINGS_END}\nafter\n`);
  t.is(withFindings(next, "new"), next, "idempotent");
  t.throws(() => withFindings("# no block\n", "new"), { message: /README.md has no findings block/ });
  t.true(fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8").includes(FINDINGS_BEGIN));
});
