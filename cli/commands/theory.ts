/**
 * `stgrpo theory …` — the paper's theory headless (DESIGN.md contract for `recursion` and `success`):
 *   recursion  the log-odds success recursion of Theorem 3.1 with its fixed points;
 *   success    Theorem 3.2 on a finite deterministic MDP: enumeration, recursion, product, uniqueness;
 *   simulate   tabular finite-G GRPO at one state against the recursion (notebook 03).
 */
import { Command, intFlag, numberFlag, parseFlags, printJson } from "../command";
import { UserError } from "../../lib/util/errors";
import { readJsonFile } from "../../lib/util/files";
import { terminalProgress } from "../../lib/util/progress";
import { parseMdp } from "../../lib/mdp/mdp";
import { successReportJson, subtaskSuccesses } from "../../lib/mdp/success";
import { checkParams, recursionJson, RecursionParams } from "../../lib/mdp/recursion";
import { finiteGroupStudy } from "../../lib/mdp/studies";

const usage = `usage: stgrpo theory recursion --beta B --pref P [--eps E] [--iters N] [--all] [--json]
       stgrpo theory success --mdp FILE [--subtasks] [--json]
       stgrpo theory simulate --beta B --pref P [--group-size G,G…] [--seeds N] [--steps N]
                              [--groups M] [--lr X] [--inner-steps K] [--clip C] [--delta D]
                              [--kl exact|k3] [--actions K] [--json]

recursion  logit p_n = logit p_ref + 1/(β·sqrt(p_{n−1}(1 − p_{n−1}) + ε)) for n = 1 … N (default 20),
           computed in log-odds. JSON: {"p":[…],"one_minus_p":[…],"logit":[…],"fixed_point":…}; every
           one_minus_p is a string with 10 significant digits (1 − p falls far below float64 for small β);
           the arrays stop early once the logit overflows float64 (p_n → 1). fixed_point is the limit of
           the iteration from p_ref: {"p","one_minus_p","slope"} with slope = h′(p*), or
           {"p":1,"one_minus_p":"0","slope":0} when p_n → 1, or null when it has no limit (a cycle).
           --all adds "fixed_points": every interior fixed point with its stability.
success    FILE is {"states","actions","start","goal","transitions":{s:{a:s'}},"policy":{s:{a:"p/q"}},
           "expert":{s:a}}. JSON: {"minimal_steps","enumeration","recursion","product","unique"} with
           exact rationals as "p/q". --subtasks adds "subtasks": the same for every prefix k* (Def 3.3).
simulate   finite-G GRPO (sampled groups, (r − mean)/(std + δ), clipped ratio, KL to π_ref, gradient
           steps on softmax logits) against the population recursion and the expected finite-G
           stationary point. Defaults: G 2,4,8,16, 3 seeds, 2000 steps, 4 groups, lr 0.05, 1 inner
           step, clip 0.2, δ 1e-6, exact KL, 4 actions.

Without --json a readable summary is printed.`;

/** `--beta -1` would read as a missing value to parseArgs; join such pairs so the range check speaks. */
function joinNegativeNumbers(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i].startsWith("--") && !argv[i].includes("=") && /^-[\d.]/.test(argv[i + 1] ?? "")) out.push(`${argv[i]}=${argv[++i]}`);
    else out.push(argv[i]);
  }
  return out;
}

function recursionParams(values: { beta?: string; pref?: string; eps?: string }): RecursionParams {
  const params = { beta: numberFlag("beta", values.beta), pRef: numberFlag("pref", values.pref), eps: numberFlag("eps", values.eps, 0) };
  try {
    checkParams(params);
  } catch (e: any) {
    throw new UserError(e.message.replace(/^pRef/, "--pref").replace(/^beta/, "--beta").replace(/^eps/, "--eps"));
  }
  return params;
}

async function recursion(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { beta: { type: "string" }, pref: { type: "string" }, eps: { type: "string" }, iters: { type: "string" }, all: { type: "boolean" }, json: { type: "boolean" } }, false);
  const params = recursionParams(values);
  const out = recursionJson(params, intFlag("iters", values.iters, 20), values.all ?? false);
  if (values.json) printJson(out);
  else {
    const lines = [`β = ${params.beta}, p_ref = ${params.pRef}, ε = ${params.eps}`, "n\tp_n\t1 − p_n\tlogit p_n"];
    out.p.forEach((p, n) => lines.push(`${n}\t${p}\t${out.one_minus_p[n]}\t${out.logit[n]}`));
    const f = out.fixed_point;
    lines.push(f === null ? "limit: none (the iteration does not settle)" : f.p === 1 && f.one_minus_p === "0" ? "limit: p_n → 1 (no interior limit)" : `limit: p* = ${f.p} (1 − p* = ${f.one_minus_p}), h′(p*) = ${f.slope}`);
    for (const fp of out.fixed_points ?? []) lines.push(`fixed point: p* = ${fp.p} (1 − p* = ${fp.one_minus_p}), h′ = ${fp.slope}, ${fp.stable ? "stable" : "unstable"}`);
    process.stdout.write(lines.join("\n") + "\n");
  }
  return 0;
}

async function success(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { mdp: { type: "string" }, subtasks: { type: "boolean" }, json: { type: "boolean" } }, false);
  const file = values.mdp;
  if (file === undefined) throw new UserError("--mdp FILE is required");
  const json = readJsonFile(file);
  let report: Record<string, unknown>;
  try {
    const mdp = parseMdp(json);
    report = successReportJson(mdp);
    if (values.subtasks) {
      report.subtasks = subtaskSuccesses(mdp).map((s) => ({ k: s.k, steps: s.steps, enumeration: s.enumeration.toString(), recursion: s.recursion.toString(), product: s.product.toString(), unique: s.unique }));
    }
  } catch (e) {
    // Name the file in front of the MDP's own one-line reason (which names the field).
    if (e instanceof UserError) throw new UserError(`${file}: ${e.message}`);
    throw e;
  }
  if (values.json) printJson(report);
  else process.stdout.write(Object.entries(report).map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`).join("\n") + "\n");
  return 0;
}

async function simulate(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      beta: { type: "string" },
      pref: { type: "string" },
      "group-size": { type: "string" },
      seeds: { type: "string" },
      steps: { type: "string" },
      groups: { type: "string" },
      lr: { type: "string" },
      "inner-steps": { type: "string" },
      clip: { type: "string" },
      delta: { type: "string" },
      kl: { type: "string" },
      actions: { type: "string" },
      json: { type: "boolean" },
    },
    false,
  );
  const params = recursionParams(values);
  const groupSizes = (values["group-size"] ?? "2,4,8,16").split(",").map((g) => intFlag("group-size", g.trim()));
  if (groupSizes.some((g) => g < 2)) throw new UserError("--group-size: every G must be ≥ 2");
  const kl = values.kl ?? "exact";
  if (kl !== "exact" && kl !== "k3") throw new UserError(`--kl must be exact or k3, got "${kl}"`);
  const actions = intFlag("actions", values.actions, 4);
  if (actions < 2) throw new UserError("--actions must be ≥ 2");
  const study = finiteGroupStudy(
    {
      pRef: params.pRef,
      beta: params.beta,
      groupSizes,
      seeds: Math.max(1, intFlag("seeds", values.seeds, 3)),
      steps: intFlag("steps", values.steps, 2000),
      groups: Math.max(1, intFlag("groups", values.groups, 4)),
      lr: numberFlag("lr", values.lr, 0.05),
      innerSteps: Math.max(1, intFlag("inner-steps", values["inner-steps"], 1)),
      clip: numberFlag("clip", values.clip, 0.2),
      delta: numberFlag("delta", values.delta, 1e-6),
      kl,
      actions,
    },
    terminalProgress(),
  );
  const out = { p_ref: study.pRef, beta: study.beta, population: study.population, summary: study.summary };
  if (values.json) printJson(out);
  else {
    const lines = [`p_ref = ${study.pRef}, β = ${study.beta}; population fixed point (ε = 0): ${study.population}`, "G\tpredicted\tsimulated (mean ± sd)\tflat groups"];
    for (const s of study.summary) lines.push(`${s.G}\t${s.predicted.toFixed(4)}\t${s.simulatedMean.toFixed(4)} ± ${s.simulatedSd.toFixed(4)}\t${(100 * s.flatGroups).toFixed(1)}%`);
    process.stdout.write(lines.join("\n") + "\n");
  }
  return 0;
}

const SUBCOMMANDS: Record<string, (argv: string[]) => Promise<number>> = { recursion, success, simulate };

export const theory: Command = {
  name: "theory",
  summary: "the paper's theory: success recursion, Theorem 3.2 on an MDP, finite-G GRPO",
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    const run = sub === undefined ? undefined : SUBCOMMANDS[sub];
    if (!run) throw new UserError(`expected a subcommand: ${Object.keys(SUBCOMMANDS).join(", ")}${sub === undefined ? "" : ` (got "${sub}")`}`);
    return run(joinNegativeNumbers(rest));
  },
};
