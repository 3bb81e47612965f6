/**
 * Which of our models stands beside which row of the paper's Table 1. Our model names are free-form
 * (`expert`, `sft`, `sft+grpo`, `Qwen/Qwen2.5-7B-Instruct`…), so a small alias table maps the usual
 * ones; `--match ours=paper` overrides or adds (`--match random=none` drops one).
 *
 * The CPU study's analogues: the planner (`expert`) stands for the Llama3.3-70B expert, the untrained
 * policy (`untrained`/`uniform`/`random`/`base`) for the prompted base Qwen2.5-1.5B, and `sft` / `sft+grpo`
 * for the trained 1.5B rows. Models with no counterpart (the multi-turn baseline) are listed without one.
 */
import { UserError } from "../util/errors";

/** The paper's Table 1 rows, in its order. */
export const PAPER_MODELS = [
  "Llama3.3-70b (expert)",
  "Qwen2.5-1.5b",
  "Qwen2.5-3b",
  "Qwen2.5-7b",
  "Qwen2.5-14b",
  "Qwen2.5-1.5b (w/ SFT)",
  "Qwen2.5-1.5b (w/ SFT & GRPO)",
] as const;

const ALIASES: Record<string, readonly string[]> = {
  "Llama3.3-70b (expert)": ["expert", "planner", "llama3.3-70b", "llama-3.3-70b", "meta-llama-3.3-70b"],
  "Qwen2.5-1.5b": ["qwen2.5-1.5b", "untrained", "uniform", "random", "base", "reference"],
  "Qwen2.5-3b": ["qwen2.5-3b"],
  "Qwen2.5-7b": ["qwen2.5-7b"],
  "Qwen2.5-14b": ["qwen2.5-14b"],
  "Qwen2.5-1.5b (w/ SFT)": ["sft", "qwen2.5-1.5b-sft"],
  "Qwen2.5-1.5b (w/ SFT & GRPO)": ["sft+grpo", "sft-grpo", "sft&grpo", "grpo", "qwen2.5-1.5b-sft-grpo", "qwen2.5-1.5b-sft+grpo"],
};

/** Lower case, no organisation prefix, no "-instruct", spaces and underscores as dashes. */
export function normaliseModelName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/^[^/]*\//, "")
    .replace(/-instruct$/, "")
    .replace(/[\s_]+/g, "-");
}

const LOOKUP = new Map<string, string>();
for (const label of PAPER_MODELS) {
  LOOKUP.set(normaliseModelName(label), label);
  for (const a of ALIASES[label]) LOOKUP.set(normaliseModelName(a), label);
}

/** User overrides: ours → paper label, or null for "no counterpart". */
export type ModelMatches = Record<string, string | null>;

/** Parse `ours=paper` pairs (`paper` may be `none`); the paper side must be one of PAPER_MODELS. */
export function parseMatches(pairs: readonly string[]): ModelMatches {
  const out: ModelMatches = {};
  for (const p of pairs) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new UserError(`--match expects OURS=PAPER, got "${p}"`);
    const ours = p.slice(0, eq).trim();
    const paper = p.slice(eq + 1).trim();
    if (paper.toLowerCase() === "none") {
      out[ours] = null;
      continue;
    }
    const label = LOOKUP.get(normaliseModelName(paper));
    if (!label) throw new UserError(`--match: "${paper}" is not a row of the paper's Table 1 (${PAPER_MODELS.join("; ")})`);
    out[ours] = label;
  }
  return out;
}

/** The paper row our model stands beside, or null. */
export function paperModelFor(model: string, matches: ModelMatches = {}): string | null {
  if (model in matches) return matches[model];
  return LOOKUP.get(normaliseModelName(model)) ?? null;
}

/** `sft+grpo(light,beta=0.1)` → [`sft+grpo`, `light,beta=0.1`]; a name without a variant → [name, ""]. */
function splitVariant(model: string): [string, string] {
  const open = model.indexOf("(");
  return open > 0 && model.endsWith(")") ? [model.slice(0, open), model.slice(open + 1, -1)] : [model, ""];
}

/**
 * Our models in table order: those with a paper counterpart in the paper's order; then the rest grouped
 * by variant (`multiturn-grpo`, then every `…(light)`, then `…(light,beta=0.01)`, …, numbers compared as
 * numbers), within a variant in the paper's order of their base model, then by name.
 */
export function orderModels(models: Iterable<string>, matches: ModelMatches = {}): string[] {
  const rank = (m: string) => {
    const p = paperModelFor(m, matches);
    return p === null ? PAPER_MODELS.length : (PAPER_MODELS as readonly string[]).indexOf(p);
  };
  const byVariant = (a: string, b: string) => {
    const [baseA, variantA] = splitVariant(a);
    const [baseB, variantB] = splitVariant(b);
    return variantA.localeCompare(variantB, "en", { numeric: true }) || rank(baseA) - rank(baseB) || a.localeCompare(b);
  };
  return [...new Set(models)].sort((a, b) => rank(a) - rank(b) || (rank(a) === PAPER_MODELS.length ? byVariant(a, b) : a.localeCompare(b)));
}
