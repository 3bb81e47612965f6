/** lib/kitchen/pyrandom.ts against CPython's `random.Random`: recorded streams, and live python3 (required, as for make test). */
import test from "ava";
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { PyRandom, PyRandomError, seedWords } from "../lib/kitchen/pyrandom";

const FIXTURE = path.join(__dirname, "fixtures", "cpython_random.json");
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The same calls, in the same order, as scripts/record_generator_reference.py::record_random. */
function streams(seed: bigint) {
  const r = new PyRandom(seed);
  const out: Record<string, unknown> = {};
  out.random = range(20).map(() => r.random());
  out.getrandbits = [0, 1, 2, 5, 8, 16, 31, 32, 33, 48, 53, 64, 65, 100, 128, 200].map((k) => [k, r.getrandbits(k).toString()]);
  out.randrange1 = [1, 2, 3, 5, 7, 25, 100, 1000, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 40 + 3, 2 ** 53 - 1].map((n) => r.randrange(n));
  out.randrange2 = [[0, 25], [0, 5], [0, 1], [-5, 5], [10, 11], [3, 1000], [-(2 ** 40), 2 ** 40]].map(([a, b]) => r.randrange(a, b));
  out.randrange3 = [[0, 10, 2], [1, 10, 3], [10, 0, -1], [10, -10, -3], [0, 1, 5], [0, 100, 7]].map(([a, b, c]) => r.randrange(a, b, c));
  out.randint = [[0, 0], [0, 1], [1, 6], [-3, 3], [0, 2 ** 33]].map(([a, b]) => r.randint(a, b));
  out.choice = [[7], [1, 2], range(5), range(10), range(25)].map((s) => r.choice(s));
  const x = range(25);
  r.shuffle(x);
  const y = range(7);
  r.shuffle(y);
  out.shuffle = [x, y];
  out.after = range(5).map(() => r.random());
  out.long_randrange25 = range(1500).map(() => r.randrange(0, 25));
  return out;
}

test("recorded CPython streams: random, getrandbits (k ≤ 200), randrange (1–3 args), randint, choice, shuffle", (t) => {
  const ref = JSON.parse(fs.readFileSync(FIXTURE, "utf8"));
  t.true(ref.cases.length >= 20);
  for (const c of ref.cases) {
    const got = streams(BigInt(c.seed));
    for (const key of Object.keys(got)) t.deepEqual(got[key], c[key], `seed ${c.seed}, ${key}`);
  }
});

test("seeding: |seed| split into 32-bit words, 0 → [0]; number and bigint seeds agree", (t) => {
  t.deepEqual(seedWords(0), [0]);
  t.deepEqual(seedWords(-5), [5]);
  t.deepEqual(seedWords(2 ** 32 + 5), [5, 1]);
  t.deepEqual(seedWords(10n ** 20n), [0x63100000, 0x6bc75e2d, 5]);
  t.is(new PyRandom(42).random(), new PyRandom(42n).random());
  t.is(new PyRandom(-42).random(), new PyRandom(42).random());
  const r = new PyRandom(7);
  const a = r.random();
  r.seed(7);
  t.is(r.random(), a);
  t.throws(() => new PyRandom(1.5), { instanceOf: PyRandomError });
});

test("errors where CPython raises", (t) => {
  const r = new PyRandom(1);
  t.throws(() => r.choice([]), { message: /IndexError/ });
  t.throws(() => r.randrange(0), { message: /ValueError/ });
  t.throws(() => r.randrange(5, 5), { message: /ValueError/ });
  t.throws(() => r.randrange(0, 10, 0), { message: /ValueError/ });
  t.throws(() => r.randrange(0, 10, -1), { message: /ValueError/ });
  t.throws(() => r.getrandbits(-1), { message: /ValueError/ });
  t.throws(() => r.randrange(0.5), { message: /TypeError/ });
  t.is(r.getrandbits(0), 0n);
});

test("randrange stays in range and choice/shuffle are permutations (property)", (t) => {
  fc.assert(
    fc.property(fc.nat(), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 5000 }), (seed, start, width) => {
      const r = new PyRandom(seed);
      const v = r.randrange(start, start + width);
      const xs = range(width % 50);
      r.shuffle(xs);
      return v >= start && v < start + width && [...xs].sort((a, b) => a - b).every((x, i) => x === i);
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test("live CPython (python3): 60 more seeds incl. big ints", (t) => {
  const seeds = [...range(30).map((i) => BigInt(i * 7919 + 3)), ...range(30).map((i) => 3n ** BigInt(20 + 3 * i) + BigInt(i))];
  const py = `
import json, random, sys
out = []
for s in json.loads(sys.stdin.read()):
    r = random.Random(int(s))
    row = [repr(r.random()) for _ in range(3)]
    row += [str(r.getrandbits(k)) for k in (1, 7, 32, 33, 77)]
    row += [r.randrange(0, 25) for _ in range(40)]
    row += [r.randrange(7, 1000, 3), r.randint(1, 2**40), r.choice(list(range(13)))]
    x = list(range(30)); r.shuffle(x); row.append(x)
    out.append(row)
print(json.dumps(out))`;
  const run = spawnSync("python3", ["-c", py], { input: JSON.stringify(seeds.map(String)), encoding: "utf8" });
  if (run.error || run.status !== 0) {
    t.fail(`python3 is not usable here (${run.error?.message ?? run.stderr.trim()}): make test needs it`);
    return;
  }
  const expected = JSON.parse(run.stdout);
  seeds.forEach((s, i) => {
    const r = new PyRandom(s);
    // repr of a Python float is the shortest round-trip string, as is JS's String(number).
    const row: unknown[] = range(3).map(() => String(r.random()));
    row.push(...[1, 7, 32, 33, 77].map((k) => r.getrandbits(k).toString()));
    row.push(...range(40).map(() => r.randrange(0, 25)));
    row.push(r.randrange(7, 1000, 3), r.randint(1, 2 ** 40), r.choice(range(13)));
    const x = range(30);
    r.shuffle(x);
    row.push(x);
    const want = expected[i].map((v: unknown, j: number) => (j < 3 ? String(Number(v)) : v));
    t.deepEqual(row, want, `seed ${s}`);
  });
});
