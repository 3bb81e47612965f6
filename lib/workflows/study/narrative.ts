/**
 * What a study run found, in sentences built from its summary: the notebook's "what the run found"
 * paragraphs, so that every number a reader sees there is this run's (the ci profile never shows the
 * cpu run's numbers). Each function returns Markdown bullets; the wording says only what the verdicts
 * and intervals say.
 */
import { taskTitle } from "../../report/paper";
import { CLAIMS } from "./claims";
import type { PairedComparison } from "./compare";
import type { Finding, StudySummary, TheoryPairRow } from "./types";

const signed = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(2)}`;
const f2 = (x: number) => x.toFixed(2);

/** "+0.23 … +0.28" over a list of differences (one value: itself). */
function range(xs: number[]): string {
  if (!xs.length) return "";
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? signed(lo) : `${signed(lo)} … ${signed(hi)}`;
}

/** "0.72 … 0.99" for shares or probabilities. */
function span(xs: number[]): string {
  if (!xs.length) return "";
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return lo === hi ? f2(lo) : `${f2(lo)} … ${f2(hi)}`;
}

const armName = (arm: string) => (arm ? `the ${arm} arm` : "the main arm");

/** One claim's comparisons of one arm, summarised: how many hold, their differences, the verdict in words. */
function claimSentence(fs: Finding[], label: string): string {
  const cs = fs.filter((f) => f.comparison).map((f) => ({ f, c: f.comparison as PairedComparison }));
  if (!cs.length) return `${label}: no comparison with two or more seeds.`;
  const hold = cs.filter((x) => x.c.verdict === "a better");
  const rev = cs.filter((x) => x.c.verdict === "b better");
  const noise = cs.filter((x) => x.c.verdict === "within noise");
  const parts = [`${hold.length} of ${cs.length} comparisons hold${hold.length ? ` (${range(hold.map((x) => x.c.diff))})` : ""}`];
  if (noise.length) parts.push(`${noise.length} within noise`);
  if (rev.length) parts.push(`${rev.length} reversed (${range(rev.map((x) => x.c.diff))}: ${rev.map((x) => `${taskTitle(x.f.task)}, ${x.f.what}`).join("; ")})`);
  const verdict = hold.length > cs.length / 2 ? "holds" : rev.length > cs.length / 2 ? "is reversed" : hold.length > rev.length ? "holds in part" : rev.length > hold.length ? "is partly reversed" : "is not shown";
  return `${label} ${verdict}: ${parts.join(", ")}.`;
}

/**
 * The paper's findings on one protocol, one bullet per claim and arm: the share of comparisons that hold,
 * the range of their differences, what is reversed. Differences are A − B in the compared metric (SR, or
 * steps where the claim is about steps).
 */
export function findingsNarrative(s: StudySummary, protocol: string): string {
  const fs = s.findings.filter((f) => f.protocol === protocol);
  const arms = [...new Set(fs.map((f) => f.arm))];
  const lines: string[] = [];
  for (const id of Object.keys(CLAIMS) as Finding["id"][]) {
    for (const arm of arms) {
      const of = fs.filter((f) => f.id === id && f.arm === arm);
      if (of.length) lines.push(`- ${claimSentence(of, `**${CLAIMS[id]}** (${armName(arm)})`)}`);
    }
  }
  return lines.join("\n");
}

/** Corollary 3.1 and Assumption 3.1 in numbers: shares of states where π(a^GT|s) did not fall, per arm and variant. */
export function theoryNarrative(s: StudySummary): string {
  const groups = new Map<string, TheoryPairRow[]>();
  for (const r of s.theoryPairs) groups.set(`${r.arm}|${r.variant}|${r.where}`, [...(groups.get(`${r.arm}|${r.variant}|${r.where}`) ?? []), r]);
  const lines: string[] = [];
  for (const rows of groups.values()) {
    const r0 = rows[0];
    const ambiguous = rows.filter((r) => r.ambiguous.states > 0);
    const unique = rows.filter((r) => r.unique.states > 0);
    const split = ambiguous.length && unique.length ? `; where the expert's action is the only optimal one ${span(unique.map((r) => r.unique.improved))}, where it is one of several ${span(ambiguous.map((r) => r.ambiguous.improved))}` : "";
    lines.push(
      `- ${armName(r0.arm)}, ${r0.variant} after SFT, at ${r0.where}: π(a^GT|s) no lower at a share ${span(rows.map((r) => r.improved))} of the states (per task)${split}; mean π(a^GT|s) ${span(rows.map((r) => r.meanBefore))} → ${span(rows.map((r) => r.meanAfter))}.`,
    );
  }
  return lines.join("\n");
}

/** Theorem 3.2: where the product of per-state probabilities and the measured minimal-step success differ most. */
export function theoremNarrative(s: StudySummary): string {
  const rows = s.theorems.filter((r) => r.measured !== null);
  if (!rows.length) return "- No model has a measured minimal-step success.";
  const under = rows.filter((r) => r.measured! > r.predicted);
  const widest = [...rows].sort((a, b) => b.measured! - b.predicted - (a.measured! - a.predicted))[0];
  const t33 = s.theorem33.filter((x) => x.comparison);
  const t33hold = t33.filter((x) => x.comparison!.verdict === "a better");
  return [
    `- The measured minimal-step success is above the product for ${under.length} of ${rows.length} (task, model) cells; the widest gap is ${taskTitle(widest.task)}, ${widest.model}: ${f2(widest.predicted)} predicted, ${f2(widest.measured!)} measured.`,
    `- Theorem 3.3's conclusion (minimal-step success does not fall after training): ${t33hold.length} of ${t33.length} paired comparisons show a clear rise${t33hold.length ? ` (${range(t33hold.map((x) => x.comparison!.diff))})` : ""}.`,
  ].join("\n");
}
