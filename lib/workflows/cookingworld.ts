/**
 * Notebook 08's glue (CookingWorld, the second environment), one function per cell: the four levels and
 * how their budgets were set, a game as the agent sees it, and how far the engine's gold path — the
 * dataset expert — is from a shortest path (measured by the engine's exact search, lib/cookingworld).
 * The CPU study itself is lib/workflows/study with the CookingWorld config.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CookingWorldEngine } from "../cookingworld/engine";
import { COOKINGWORLD_LEVELS, paramString } from "../cookingworld/levels";
import { analyseGold, GoldAnalysis, summarise, ExpertSummary } from "../cookingworld/search";
import { envFamily, makeEnv } from "../env/index";
import { cookingWorldEngine } from "../env/cookingworld";
import { appendJsonl, readJsonl } from "../util/files";
import { Profile, resultsDir } from "../util/profile";
import { Progress, ProgressSink, silentProgress } from "../util/progress";
import { CLAIMS } from "./study/claims";
import type { Finding, StudySummary } from "./study/types";

/** The four levels: the engine's parameters, the step limit (median gold length) and the timeout. */
export function levelsMarkdown(): string {
  const rows = COOKINGWORLD_LEVELS.map((l) => `| ${l.task} | \`${paramString(l.params)}\` | ${l.stepLimit} | ${l.timeout} |`);
  return ["| level | engine parameters | step limit | timeout |", "|---|---|---:|---:|", ...rows].join("\n");
}

/** The folds: which games train and which evaluate. */
export function foldsMarkdown(): string {
  const seeds = cookingWorldEngine().seeds();
  const range = (xs: number[]) => `${xs[0]}–${xs[xs.length - 1]} (${xs.length})`;
  const paper = envFamily("cookingworld").evaluationSeeds(10);
  return [
    "| fold | seeds | used for |",
    "|---|---|---|",
    `| train | ${range(seeds.train)} | expert data |`,
    `| dev | ${range(seeds.dev)} | — |`,
    `| test | ${range(seeds.test)} | evaluation: the paper-style protocol plays ${paper[0]}–${paper[paper.length - 1]}, the extended one more of them in order |`,
  ].join("\n");
}

/** A game's first observation as the agent reads it, and the engine's gold path for it. */
export function gameMarkdown(task: string, seed: number): string {
  const env = makeEnv(task, seed);
  const gold = cookingWorldEngine().gold(task, seed);
  return [
    "```text",
    env.observation(),
    "```",
    "",
    `The engine's gold path (${gold.actions.length} actions${gold.skipped.length ? `; ${gold.skipped.length} no-op invalid action(s) of the engine's sequence dropped` : ""}): ${gold.actions.map((a) => `\`${a}\``).join(", ")}.`,
  ].join("\n");
}

export interface GapStudyOptions {
  /** Train games analysed per level (the first ones), default by profile. */
  games?: Partial<Record<string, number>>;
  /** Time limit of one search (ms): a game whose search does not finish is counted as incomplete. */
  maxMillis?: number;
  progress?: ProgressSink;
}

const GAMES: Record<Profile, Record<string, number>> = {
  ci: { "cookingworld-1": 3, "cookingworld-2": 2, "cookingworld-3": 1, "cookingworld-4": 1 },
  cpu: { "cookingworld-1": 40, "cookingworld-2": 20, "cookingworld-3": 10, "cookingworld-4": 8 },
  paper: { "cookingworld-1": 40, "cookingworld-2": 20, "cookingworld-3": 10, "cookingworld-4": 8 },
};

/**
 * The gold path against exact shortest paths on the first train games of each level: length gap, the
 * share of gold actions that leave every shortest path, and ambiguity (gold states with several optimal
 * actions). Each game's analysis is appended to results/<profile>/cookingworld/expert-gap.jsonl as it
 * finishes, so a rerun reads them back.
 */
export async function expertGapStudy(profile: Profile, opts: GapStudyOptions = {}): Promise<ExpertSummary[]> {
  const file = resultsDir(profile, "cookingworld", "expert-gap.jsonl");
  const games = { ...GAMES[profile], ...opts.games };
  const have = readJsonl<GoldAnalysis>(file);
  const seeds = cookingWorldEngine().seeds().train;
  const todo = COOKINGWORLD_LEVELS.flatMap((l) => seeds.slice(0, games[l.task] ?? 0).map((seed) => ({ task: l.task, seed })));
  const progress = new Progress("gold vs shortest", todo.length, opts.progress ?? silentProgress);
  let engine: CookingWorldEngine | null = null;
  try {
    for (const g of todo) {
      if (!have.some((r) => r.task === g.task && r.seed === g.seed)) {
        engine ??= new CookingWorldEngine();
        const r = await analyseGold(engine, g.task, g.seed, { maxMillis: opts.maxMillis ?? 30_000 });
        fs.mkdirSync(path.dirname(file), { recursive: true });
        appendJsonl(file, [r]);
        have.push(r);
      }
      progress.tick();
    }
  } finally {
    await engine?.stop();
  }
  progress.finish();
  return COOKINGWORLD_LEVELS.map((l) => summarise(l.task, have.filter((r) => r.task === l.task && r.seed < seeds[0] + (games[l.task] ?? 0))));
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : "—");

/** The gap study as a table: per level, gold and shortest lengths, the gap, suboptimal gold actions, ambiguity. */
export function expertGapMarkdown(rows: readonly ExpertSummary[]): string {
  const d = (x: { median: number; min: number; max: number; mean: number } | null) => (x ? `${x.median} (${x.min}–${x.max}), mean ${x.mean.toFixed(1)}` : "—");
  return [
    "| level | games (complete) | gold length | shortest length | gap | gold optimal | gold actions off every shortest path | ambiguous gold states |",
    "|---|---:|---|---|---|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.task} | ${r.games} (${r.complete}) | ${d(r.goldLength)} | ${d(r.shortest)} | ${d(r.gap)} | ${r.goldOptimalGames}/${r.complete} | ${pct(r.suboptimalActions, r.goldStates)} | ${pct(r.ambiguousStates, r.goldStates)} |`,
    ),
  ].join("\n");
}

/** How a claim's comparisons came out: held, within noise, reversed. */
function tally(s: StudySummary, protocol: string, id: Finding["id"]): { hold: number; noise: number; reversed: number; n: number } {
  const fs = s.findings.filter((f) => f.protocol === protocol && f.id === id && f.comparison);
  const count = (v: string) => fs.filter((f) => f.comparison!.verdict === v).length;
  return { hold: count("a better"), noise: count("within noise"), reversed: count("b better"), n: fs.length };
}

/** One word for a tally: holds (most comparisons clear in its favour), reversed, or not shown. */
function verdictOf(t: { hold: number; noise: number; reversed: number; n: number }): string {
  if (t.n === 0) return "not tested";
  if (t.hold > t.n / 2) return "holds";
  if (t.reversed > t.n / 2) return "reversed";
  if (t.hold > t.reversed) return "partly";
  if (t.reversed > t.hold) return "partly reversed";
  return "not shown (within noise)";
}

/**
 * The paper's findings on both environments side by side: for each claim the comparisons that hold,
 * are within noise or are reversed, on Robotouille and on CookingWorld, and a verdict for each — what
 * carries over. Computed from the two studies' summaries; nothing typed in.
 */
export function carryOverMarkdown(robotouille: StudySummary, cookingworld: StudySummary, protocols: { robotouille: string; cookingworld: string }): string {
  const ids = Object.keys(CLAIMS) as Finding["id"][];
  const cell = (t: ReturnType<typeof tally>) => (t.n ? `${t.hold} / ${t.noise} / ${t.reversed} — **${verdictOf(t)}**` : "—");
  const arms = (s: StudySummary) => [...new Set(s.findings.map((f) => f.arm || "main"))].join(", ");
  return [
    `Comparisons that hold / are within noise / are reversed (95% interval across training seeds), Robotouille on ${protocols.robotouille} (arms ${arms(robotouille)}), CookingWorld on ${protocols.cookingworld} (arms ${arms(cookingworld)}).`,
    "",
    "| the paper's claim | Robotouille | CookingWorld |",
    "|---|---|---|",
    ...ids.map((id) => `| ${CLAIMS[id]} | ${cell(tally(robotouille, protocols.robotouille, id))} | ${cell(tally(cookingworld, protocols.cookingworld, id))} |`),
  ].join("\n");
}
