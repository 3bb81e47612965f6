/**
 * `stgrpo theory …` — the paper's theory headless (docs/design.md contract for `recursion` and `success`):
 *   recursion  the log-odds success recursion of Theorem 3.1 with its fixed points;
 *   success    Theorem 3.2 on a finite deterministic MDP: enumeration, recursion, product, uniqueness;
 *   simulate   tabular finite-G GRPO at one state against the recursion (notebook 03).
 */
import { Command, printJson } from "../command";
import { flagHelp, flagTable, parseFlags, parseNumberList } from "../flags";
import { writeOut } from "../output";
import { UserError } from "../../lib/util/errors";
import { readJsonFile } from "../../lib/util/files";
import { terminalProgress } from "../../lib/util/progress";
import { parseMdp } from "../../lib/mdp/mdp";
import { successReportJson, subtaskSuccesses } from "../../lib/mdp/success";
import { checkParams, recursionJson, RecursionParams } from "../../lib/mdp/recursion";
import { finiteGroupStudy } from "../../lib/mdp/studies";

const RECURSION_PARAMS = flagTable({
  beta: { type: "number", arg: "B", min: 0, minExclusive: true, help: "the KL coefficient β (required)" },
  pref: { type: "number", arg: "P", min: 0, max: 1, minExclusive: true, maxExclusive: true, help: "p_ref, the reference policy's success probability at the state (required)" },
});

const RECURSION_FLAGS = flagTable({
  ...RECURSION_PARAMS,
  eps: { type: "number", arg: "E", min: 0, help: "ε under the square root", default: 0 },
  iters: { type: "int", arg: "N", help: "iterations N", default: 20 },
  all: { type: "boolean", help: 'add "fixed_points": every interior fixed point with its stability' },
  json: { type: "boolean", help: "print JSON (the contract's shape) instead of a table" },
});

const SUCCESS_FLAGS = flagTable({
  mdp: { type: "string", arg: "FILE", help: "the MDP as JSON (required; the shape is above)" },
  subtasks: { type: "boolean", help: 'add "subtasks": the same for every prefix k* (Def 3.3)' },
  json: { type: "boolean", help: "print JSON instead of key: value lines" },
});

const SIMULATE_FLAGS = flagTable({
  ...RECURSION_PARAMS,
  "group-size": { type: "string", arg: "G,G…", help: "group sizes, each ≥ 2", defaultText: "2,4,8,16" },
  seeds: { type: "int", arg: "N", min: 1, help: "simulation seeds per G", default: 3 },
  steps: { type: "int", arg: "N", help: "GRPO steps", default: 2000 },
  groups: { type: "int", arg: "M", min: 1, help: "groups per step", default: 4 },
  lr: { type: "number", arg: "X", min: 0, minExclusive: true, help: "learning rate on the logits", default: 0.05 },
  "inner-steps": { type: "int", arg: "K", min: 1, help: "gradient steps per batch", default: 1 },
  clip: { type: "number", arg: "C", min: 0, minExclusive: true, help: "PPO clip range", default: 0.2 },
  delta: { type: "number", arg: "D", min: 0, help: "δ in (r − mean)/(std + δ)", default: 1e-6 },
  kl: { type: "choice", choices: ["exact", "k3"], help: "KL term", default: "exact" },
  actions: { type: "int", arg: "K", min: 2, help: "actions at the state", default: 4 },
  json: { type: "boolean", help: "print JSON instead of a table" },
});

const usage = [
  `usage: stgrpo theory recursion --beta B --pref P [--eps E] [--iters N] [--all] [--json]
       stgrpo theory success --mdp FILE [--subtasks] [--json]
       stgrpo theory simulate --beta B --pref P [--group-size G,G…] [--seeds N] [--steps N]
                              [--groups M] [--lr X] [--inner-steps K] [--clip C] [--delta D]
                              [--kl exact|k3] [--actions K] [--json]`,
  "",
  `recursion  logit p_n = logit p_ref + 1/(β·sqrt(p_{n−1}(1 − p_{n−1}) + ε)) for n = 1 … N, computed in
           log-odds. JSON: {"p":[…],"one_minus_p":[…],"logit":[…],"fixed_point":…}; every one_minus_p
           is a string with 10 significant digits (1 − p falls far below float64 for small β); the
           arrays stop early once the logit overflows float64 (p_n → 1). fixed_point is the limit of
           the iteration from p_ref: {"p","one_minus_p","slope"} with slope = h′(p*), or
           {"p":1,"one_minus_p":"0","slope":0} when p_n → 1, or null when it has no limit (a cycle).`,
  "",
  flagHelp(RECURSION_FLAGS),
  "",
  `success    FILE is {"states","actions","start","goal","transitions":{s:{a:s'}},"policy":{s:{a:"p/q"}},
           "expert":{s:a}}. JSON: {"minimal_steps","enumeration","recursion","product","unique"} with
           exact rationals as "p/q".`,
  "",
  flagHelp(SUCCESS_FLAGS),
  "",
  `simulate   finite-G GRPO (sampled groups, (r − mean)/(std + δ), clipped ratio, KL to π_ref, gradient
           steps on softmax logits) against the population recursion and the expected finite-G
           stationary point.`,
  "",
  flagHelp(SIMULATE_FLAGS),
  "",
  "Without --json a readable summary is printed.",
].join("\n");

function recursionParams(values: { beta?: number; pref?: number; eps?: number }): RecursionParams {
  if (values.beta === undefined) throw new UserError("--beta is required");
  if (values.pref === undefined) throw new UserError("--pref is required");
  const params = { beta: values.beta, pRef: values.pref, eps: values.eps ?? 0 };
  try {
    checkParams(params);
  } catch (e: any) {
    throw new UserError(e.message.replace(/^pRef/, "--pref").replace(/^beta/, "--beta").replace(/^eps/, "--eps"));
  }
  return params;
}

async function recursion(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, RECURSION_FLAGS, { positionals: false });
  const params = recursionParams(values);
  const out = recursionJson(params, values.iters, values.all);
  if (values.json) printJson(out);
  else {
    const lines = [`β = ${params.beta}, p_ref = ${params.pRef}, ε = ${params.eps}`, "n\tp_n\t1 − p_n\tlogit p_n"];
    out.p.forEach((p, n) => lines.push(`${n}\t${p}\t${out.one_minus_p[n]}\t${out.logit[n]}`));
    const f = out.fixed_point;
    lines.push(f === null ? "limit: none (the iteration does not settle)" : f.p === 1 && f.one_minus_p === "0" ? "limit: p_n → 1 (no interior limit)" : `limit: p* = ${f.p} (1 − p* = ${f.one_minus_p}), h′(p*) = ${f.slope}`);
    for (const fp of out.fixed_points ?? []) lines.push(`fixed point: p* = ${fp.p} (1 − p* = ${fp.one_minus_p}), h′ = ${fp.slope}, ${fp.stable ? "stable" : "unstable"}`);
    writeOut(lines.join("\n") + "\n");
  }
  return 0;
}

async function success(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, SUCCESS_FLAGS, { positionals: false });
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
  else writeOut(Object.entries(report).map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`).join("\n") + "\n");
  return 0;
}

async function simulate(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, SIMULATE_FLAGS, { positionals: false });
  const params = recursionParams(values);
  const groupSizes = parseNumberList("--group-size", values["group-size"] ?? "2,4,8,16", { type: "int", min: 2 });
  const study = finiteGroupStudy(
    {
      pRef: params.pRef,
      beta: params.beta,
      groupSizes,
      seeds: values.seeds,
      steps: values.steps,
      groups: values.groups,
      lr: values.lr,
      innerSteps: values["inner-steps"],
      clip: values.clip,
      delta: values.delta,
      kl: values.kl,
      actions: values.actions,
    },
    terminalProgress(),
  );
  const out = { p_ref: study.pRef, beta: study.beta, population: study.population, summary: study.summary };
  if (values.json) printJson(out);
  else {
    const lines = [`p_ref = ${study.pRef}, β = ${study.beta}; population fixed point (ε = 0): ${study.population}`, "G\tpredicted\tsimulated (mean ± sd)\tflat groups"];
    for (const s of study.summary) lines.push(`${s.G}\t${s.predicted.toFixed(4)}\t${s.simulatedMean.toFixed(4)} ± ${s.simulatedSd.toFixed(4)}\t${(100 * s.flatGroups).toFixed(1)}%`);
    writeOut(lines.join("\n") + "\n");
  }
  return 0;
}

const SUBCOMMANDS: Record<string, (argv: string[]) => Promise<number>> = { recursion, success, simulate };

export const theory: Command = {
  name: "theory",
  summary: "the paper's theory: success recursion, Theorem 3.2 on an MDP, finite-G GRPO",
  usage,
  flags: [RECURSION_FLAGS, SUCCESS_FLAGS, SIMULATE_FLAGS],
  async run(argv) {
    const [sub, ...rest] = argv;
    const run = sub === undefined ? undefined : SUBCOMMANDS[sub];
    if (!run) throw new UserError(`expected a subcommand: ${Object.keys(SUBCOMMANDS).join(", ")}${sub === undefined ? "" : ` (got "${sub}")`}`);
    return run(rest);
  },
};
