/**
 * cli/flags.ts and lib/util/numbers.ts: one typed table per command generates its parser and its
 * --help flag list (checked for every command: no flag missing from the help, no help line for a flag
 * the parser refuses), and one number parser reads every number the same way.
 */
import test from "ava";
import { COMMANDS } from "../cli/commands/index";
import { flagHelp, flagTable, parseFlags } from "../cli/flags";
import { UserError } from "../lib/util/errors";
import { parseNumberText } from "../lib/util/numbers";

const TABLE = flagTable({
  n: { type: "int", arg: "N", min: 1, default: 3, help: "how many" },
  beta: { type: "number", arg: "B", min: 0, minExclusive: true, help: "a coefficient" },
  seed: { type: "seed", arg: "S", help: "a layout seed" },
  kind: { type: "choice", choices: ["a", "b", "c"], default: "a", help: "the kind" },
  set: { type: "strings", arg: "K=V", help: "repeatable" },
  out: { type: "string", arg: "FILE", help: "where" },
  json: { type: "boolean", help: "JSON" },
});

const err = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof UserError) return e.message;
    throw e;
  }
  return null;
};

test("parse: defaults, --flag value, --flag=value, repeatables, booleans, positionals after --", (t) => {
  const a = parseFlags([], TABLE);
  t.deepEqual(a.values, { n: 3, kind: "a", set: [], json: false } as any);
  t.is(a.given.size, 0);
  const b = parseFlags(["x", "--n=7", "--beta", "1e-3", "--seed", "100000000000000000000", "--set", "a=1", "--set", "b=2", "--json", "--", "--out"], TABLE);
  t.like(b.values, { n: 7, beta: 0.001, seed: 10n ** 20n, set: ["a=1", "b=2"], json: true });
  t.deepEqual(b.positionals, ["x", "--out"]);
  t.deepEqual([...b.given].sort(), ["beta", "json", "n", "seed", "set"]);
  t.is(parseFlags(["--seed", "42"], TABLE).values.seed, 42);
});

test("parse: every mistake is one line naming the flag — negative numbers read as values, not as flags", (t) => {
  const cases: [string[], string][] = [
    [["--n", "-1"], '--n must be a positive integer, got "-1"'],
    [["--n", "1e3"], '--n must be a positive integer, got "1e3"'],
    [["--n", "0x10"], '--n must be a positive integer, got "0x10"'],
    [["--n", "2.0"], '--n must be a positive integer, got "2.0"'],
    [["--n", "99999999999999999999"], '--n must be at most 2^53 − 1 = 9007199254740991, got "99999999999999999999"'],
    [["--beta", "-1"], '--beta must be positive, got "-1"'],
    [["--beta", "0x10"], '--beta must be a number, got "0x10"'],
    [["--beta", "Infinity"], '--beta must be a number, got "Infinity"'],
    [["--seed", "-3"], '--seed must be a non-negative integer, got "-3"'],
    [["--seed", "1e3"], '--seed must be a non-negative integer, got "1e3"'],
    [["--kind", "d"], '--kind must be one of a, b, c, got "d"'],
    [["--n"], "--n needs a value (--n N)"],
    [["--n", "--json"], "--n needs a value (--n N)"],
    [["--n", "1", "--n", "2"], "--n is given twice"],
    [["--json=1"], '--json takes no value, got "--json=1"'],
    [["--jsno"], "unknown option --jsno (did you mean --json?)"],
    [["--zzzzzz"], "unknown option --zzzzzz"],
    [["-q"], "unknown option -q"],
  ];
  for (const [argv, message] of cases) t.is(err(() => parseFlags(argv, TABLE)), message, argv.join(" "));
  t.is(err(() => parseFlags(["stray"], TABLE, { positionals: false })), 'unexpected argument "stray"');
});

test("the one number parser: integers are decimal digits, reals decimal with an exponent, ranges in words", (t) => {
  const int = { type: "int" } as const;
  t.is(parseNumberText("--k", " 7 ", int), 7);
  t.is(parseNumberText("--k", "-0", { type: "int", min: -5 }), 0);
  for (const bad of ["1e3", "0x10", "0b1", "1.0", "", " ", "1_000", "Infinity"]) t.truthy(err(() => parseNumberText("--k", bad, int)), bad);
  t.is(parseNumberText("--x", "2.5e-3", { type: "number" }), 0.0025);
  t.is(parseNumberText("--x", ".5", { type: "number" }), 0.5);
  for (const bad of ["0x10", "NaN", "-Infinity", "1e999", "1,5", ""]) t.truthy(err(() => parseNumberText("--x", bad, { type: "number" })), bad);
  t.is(err(() => parseNumberText("--p", "1", { type: "number", min: 0, max: 1, maxExclusive: true })), '--p must be in [0, 1), got "1"');
  t.is(err(() => parseNumberText("--t", "-0.5", { type: "number", min: 0 })), '--t must be ≥ 0, got "-0.5"');
  t.is(err(() => parseNumberText("--port", "70000", { type: "int", max: 65535 })), '--port must be an integer from 0 to 65535, got "70000"');
  t.is(parseNumberText("--seed", "9007199254740993", { type: "seed" }), 9007199254740993n);
});

test("--help's flag list is generated: defaults shown, long help wrapped under its flag", (t) => {
  const help = flagHelp(TABLE);
  t.true(help.includes("--n N") && help.includes("how many (default: 3)"));
  t.true(help.includes("--kind a|b|c") && help.includes("(default: a)"));
  t.false(help.includes("json (default"), "booleans show no default");
  for (const line of help.split("\n")) t.true(line.length <= 100, line);
});

test("every command: each flag of its tables is in its --help, and each flag its --help lists parses", (t) => {
  t.is(COMMANDS.length, 12);
  for (const c of COMMANDS) {
    t.true(c.flags.length > 0, c.name);
    const known = new Set(c.flags.flatMap((f) => Object.keys(f)));
    for (const name of known) t.regex(c.usage, new RegExp(`^  --${name}( |$)`, "m"), `${c.name}: --${name} has no help line`);
    // Lines that start like a generated flag entry name a flag of the tables.
    const listed = [...c.usage.matchAll(/^ {2}--([a-z][a-z0-9-]*)/gm)].map((m) => m[1]);
    for (const name of listed) t.true(known.has(name), `${c.name} --help lists --${name}, which its parser refuses`);
  }
});
