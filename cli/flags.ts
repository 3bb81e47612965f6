/**
 * Every `stgrpo` command's flags as one typed table — flag → {type, default, help} — that generates
 * both the command's parser and the flag list of its `--help`, so the two cannot drift.
 *
 * One number parser serves every flag (lib/util/numbers.ts); a negative number is read as the flag's
 * value, never as another flag, so `--n -1` says "must be a positive integer", not Node's "argument is
 * ambiguous".
 */
import { UserError } from "../lib/util/errors";
import { parseNumberText } from "../lib/util/numbers";

interface FlagBase {
  /** One or more sentences; wrapped to the help's width. */
  help: string;
  /** Heading the flag is listed under in --help (flags without one come first). */
  group?: string;
  /** Shown as the default in --help instead of the value (a default that depends on other flags). */
  defaultText?: string;
}

export interface BooleanFlag extends FlagBase {
  type: "boolean";
}
export interface StringFlag extends FlagBase {
  type: "string";
  /** The value's placeholder in --help (FILE, DIR, URL…). */
  arg: string;
  default?: string;
}
/** A repeatable string flag (`--set a=1 --set b=2`). */
export interface StringsFlag extends FlagBase {
  type: "strings";
  arg: string;
}
export interface ChoiceFlag extends FlagBase {
  type: "choice";
  choices: readonly string[];
  default?: string;
}
/** Decimal digits only; `min` defaults to 0, `max` to 2^53 − 1. */
export interface IntFlag extends FlagBase {
  type: "int";
  arg: string;
  default?: number;
  min?: number;
  max?: number;
}
/** A finite decimal number (exponent allowed). */
export interface NumberFlag extends FlagBase {
  type: "number";
  arg: string;
  default?: number;
  min?: number;
  max?: number;
  /** The bounds themselves are out of range (`min: 0, minExclusive: true` = positive). */
  minExclusive?: boolean;
  maxExclusive?: boolean;
}
/**
 * A Robotouille layout seed: any non-negative decimal integer, a bigint beyond 2^53 (Robotouille's
 * `random.seed(n)` takes any Python int), the same for every command that takes one.
 */
export interface SeedFlag extends FlagBase {
  type: "seed";
  arg: string;
  default?: number;
}

export type FlagSpec = BooleanFlag | StringFlag | StringsFlag | ChoiceFlag | IntFlag | NumberFlag | SeedFlag;
export type FlagTable = Record<string, FlagSpec>;

type WithDefault<F, T> = F extends { default: unknown } ? T : T | undefined;

/** The parsed value of one flag, by its spec: defaults make a value always present. */
export type FlagValue<F> = F extends { type: "boolean" }
  ? boolean
  : F extends { type: "strings" }
    ? string[]
    : F extends { type: "choice"; choices: readonly (infer C)[] }
      ? WithDefault<F, C>
      : F extends { type: "string" }
        ? WithDefault<F, string>
        : F extends { type: "int" | "number" }
          ? WithDefault<F, number>
          : F extends { type: "seed" }
            ? WithDefault<F, number | bigint>
            : never;

export type FlagValues<T extends FlagTable> = { [K in keyof T]: FlagValue<T[K]> };

export interface ParsedFlags<T extends FlagTable> {
  values: FlagValues<T>;
  /** The flags the user typed (a default is not "given"): for "--x is only for …" checks. */
  given: Set<keyof T & string>;
  positionals: string[];
}

/** Build a table with its literal types kept (so values come back typed). */
export function flagTable<const T extends FlagTable>(table: T): T {
  return table;
}

/** A flag's value from its text (strings, choices and numbers; booleans take no text). */
function valueOf(name: string, spec: FlagSpec, text: string): unknown {
  switch (spec.type) {
    case "string":
    case "strings":
      return text;
    case "choice":
      if (!spec.choices.includes(text)) throw new UserError(`--${name} must be ${choiceWords(spec.choices)}, got ${JSON.stringify(text)}`);
      return text;
    case "int":
    case "number":
    case "seed":
      return parseNumberText(`--${name}`, text, spec);
    default:
      throw new Error(`flag --${name} takes no value`);
  }
}

function choiceWords(choices: readonly string[]): string {
  return choices.length <= 2 ? choices.join(" or ") : `one of ${choices.join(", ")}`;
}

/** Parse a list of one flag's type, comma-separated ("2,4,8"), each item checked like the flag itself. */
export function parseNumberList(name: string, text: string, spec: Pick<IntFlag, "type" | "min" | "max">): number[] {
  const items = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (!items.length) throw new UserError(`${name} is empty`);
  return items.map((s) => parseNumberText(name, s, spec) as number);
}

/** The closest known flag to a mistyped one (edit distance ≤ 2), for "did you mean". */
function closest(name: string, known: string[]): string | null {
  const dist = (a: string, b: string) => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    return d[a.length][b.length];
  };
  let best: string | null = null;
  let bestD = 3;
  for (const k of known) {
    const x = dist(name, k);
    if (x < bestD) [best, bestD] = [k, x];
  }
  return best;
}

/** Another command's flags under this command's --help heading (same names, types and help). */
export function regroup<T extends FlagTable>(table: T, group: string): T {
  return Object.fromEntries(Object.entries(table).map(([name, spec]) => [name, { ...spec, group }])) as unknown as T;
}

const NUMBER_LIKE = /^-[\d.]/;

/**
 * Parse argv against a table: `--flag value` and `--flag=value`; booleans take no value; `--` ends the
 * flags. A valued flag takes the next word even when it starts with "-" and a digit (a negative number,
 * which its range check then refuses by name); a next word starting with "--" means the value is missing.
 * Every mistake is a one-line UserError naming the flag.
 */
export function parseFlags<T extends FlagTable>(argv: string[], table: T, opts: { positionals?: boolean } = {}): ParsedFlags<T> {
  const values: Record<string, unknown> = {};
  const given = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!word.startsWith("-") || word === "-" || NUMBER_LIKE.test(word)) {
      if (opts.positionals === false) throw new UserError(`unexpected argument ${JSON.stringify(word)}`);
      positionals.push(word);
      continue;
    }
    const eq = word.indexOf("=");
    const name = (eq >= 0 ? word.slice(0, eq) : word).replace(/^--?/, "");
    const spec = word.startsWith("--") ? table[name] : undefined;
    if (!spec) {
      const guess = word.startsWith("--") ? closest(name, Object.keys(table)) : null;
      throw new UserError(`unknown option ${eq >= 0 ? word.slice(0, eq) : word}${guess ? ` (did you mean --${guess}?)` : ""}`);
    }
    if (spec.type === "boolean") {
      if (eq >= 0) throw new UserError(`--${name} takes no value, got ${JSON.stringify(word)}`);
      values[name] = true;
      given.add(name);
      continue;
    }
    let text: string;
    if (eq >= 0) text = word.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) throw new UserError(`--${name} needs a value (--${name} ${argName(spec)})`);
      text = next;
      i++;
    }
    const value = valueOf(name, spec, text);
    if (spec.type === "strings") {
      values[name] = [...((values[name] as string[] | undefined) ?? []), value];
    } else {
      if (given.has(name)) throw new UserError(`--${name} is given twice`);
      values[name] = value;
    }
    given.add(name);
  }
  for (const [name, spec] of Object.entries(table)) {
    if (values[name] !== undefined) continue;
    if (spec.type === "boolean") values[name] = false;
    else if (spec.type === "strings") values[name] = [];
    else if ("default" in spec && spec.default !== undefined) values[name] = spec.default;
  }
  return { values: values as FlagValues<T>, given: given as Set<keyof T & string>, positionals };
}

function argName(spec: FlagSpec): string {
  if (spec.type === "boolean") return "";
  if (spec.type === "choice") return spec.choices.join("|");
  return spec.arg;
}

function defaultShown(spec: FlagSpec): string | null {
  if (spec.defaultText !== undefined) return spec.defaultText;
  if (spec.type === "boolean" || spec.type === "strings" || spec.default === undefined) return null;
  return String(spec.default);
}

/** Wrap text to `width` columns (words are never split). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const w of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines.length ? lines : [""];
}

const HELP_WIDTH = 100;

/**
 * The flag list of --help, generated from the table: `  --flag ARG   help (default X)`, grouped under
 * their `group` headings in table order. A long `--flag ARG` puts its help on the next line.
 */
export function flagHelp(table: FlagTable): string {
  const entries = Object.entries(table).map(([name, spec]) => {
    const arg = argName(spec);
    const d = defaultShown(spec);
    return { left: `--${name}${arg ? ` ${arg}` : ""}`, text: spec.help + (d !== null ? ` (default: ${d})` : ""), group: spec.group ?? "" };
  });
  const col = Math.min(26, Math.max(...entries.map((e) => e.left.length))) + 4;
  const groups: string[] = [];
  for (const e of entries) if (!groups.includes(e.group)) groups.push(e.group);
  const out: string[] = [];
  for (const g of groups) {
    if (out.length) out.push("");
    if (g) out.push(`${g}:`);
    for (const e of entries.filter((x) => x.group === g)) {
      const body = wrap(e.text, HELP_WIDTH - col);
      const head = `  ${e.left}`;
      if (head.length + 2 <= col) {
        out.push(head.padEnd(col) + body[0]);
        for (const l of body.slice(1)) out.push(" ".repeat(col) + l);
      } else {
        out.push(head);
        for (const l of body) out.push(" ".repeat(col) + l);
      }
    }
  }
  return out.join("\n");
}

/** A command's --help: its synopsis and prose, the generated flag list, then any prose after it (examples). */
export function usageText(parts: { synopsis: string; about?: string; flags: FlagTable; after?: string }): string {
  return [parts.synopsis, parts.about ? `\n${parts.about.trim()}` : "", `\n${flagHelp(parts.flags)}`, parts.after ? `\n${parts.after.trim()}` : ""].filter(Boolean).join("\n");
}
