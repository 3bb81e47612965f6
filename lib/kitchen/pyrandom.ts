/**
 * A port of CPython 3's `random.Random` (Modules/_randommodule.c + Lib/random.py), bit for bit, for the
 * methods Robotouille's procedural generator uses: the Mersenne Twister MT19937 seeded from an integer
 * (`init_by_array` over the 32-bit words of |seed|), `random()`, `getrandbits(k)`, `_randbelow` (the
 * getrandbits rejection method), `randrange`, `randint`, `choice` and `shuffle`.
 *
 * Written from the algorithms' descriptions (Matsumoto & Nishimura's MT19937 reference and CPython's
 * documented seeding rules); checked against CPython itself by test/kitchen-data-random.test.ts.
 * Stream compatibility holds for CPython ≥ 3.2 for integer seeds and integer arguments (3.9+ for
 * `getrandbits(0)`, which returns 0 there).
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** Python's ValueError / IndexError / TypeError raised by `random`, as one error class. */
export class PyRandomError extends Error {
  constructor(
    readonly pyType: "ValueError" | "IndexError" | "TypeError",
    message: string,
  ) {
    super(`${pyType}: ${message}`);
    this.name = "PyRandomError";
  }
}

function bitLength(n: number): number {
  if (n < 0x100000000) return 32 - Math.clz32(n);
  return BigInt(n).toString(2).length;
}

function checkIndex(x: number, what: string): number {
  if (!Number.isSafeInteger(x)) throw new PyRandomError("TypeError", `${what} must be a safe integer, got ${x}`);
  return x;
}

/** The 32-bit words of |seed|, least significant first; [0] for 0 (CPython `random_seed`). */
export function seedWords(seed: number | bigint): number[] {
  let n: bigint;
  if (typeof seed === "bigint") n = seed;
  else {
    if (!Number.isInteger(seed)) throw new PyRandomError("TypeError", `seed must be an integer, got ${seed}`);
    n = BigInt(seed);
  }
  if (n < 0n) n = -n;
  if (n === 0n) return [0];
  const words: number[] = [];
  while (n > 0n) {
    words.push(Number(n & 0xffffffffn));
    n >>= 32n;
  }
  return words;
}

export class PyRandom {
  private mt = new Uint32Array(N);
  private mti = N + 1;

  constructor(seed: number | bigint = 0) {
    this.seed(seed);
  }

  /** `random.seed(int)`: init_by_array over the 32-bit words of abs(seed). */
  seed(seed: number | bigint): void {
    this.initByArray(seedWords(seed));
  }

  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.mti = N;
  }

  private initByArray(key: number[]): void {
    const mt = this.mt;
    this.initGenrand(19650218);
    let i = 1;
    let j = 0;
    const len = key.length;
    for (let k = Math.max(N, len); k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1664525)) + key[j] + j) >>> 0;
      i++;
      j++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
      if (j >= len) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N) {
        mt[0] = mt[N - 1];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }

  /** One tempered 32-bit output of MT19937 (`genrand_uint32`). */
  nextUint32(): number {
    const mt = this.mt;
    if (this.mti >= N) {
      let kk = 0;
      for (; kk < N - M; kk++) {
        const y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
        mt[kk] = mt[kk + M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      for (; kk < N - 1; kk++) {
        const y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
        mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      const y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
      mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      this.mti = 0;
    }
    let y = mt[this.mti++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `random()`: a float in [0, 1) with 53 random bits. */
  random(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `getrandbits(k)` as a bigint: 32-bit words least significant first, the top word shifted. */
  getrandbits(k: number): bigint {
    if (!Number.isInteger(k)) throw new PyRandomError("TypeError", `k must be an integer, got ${k}`);
    if (k < 0) throw new PyRandomError("ValueError", "number of bits must be non-negative");
    if (k === 0) return 0n;
    if (k <= 32) return BigInt(this.nextUint32() >>> (32 - k));
    let result = 0n;
    let shift = 0n;
    for (let left = k; left > 0; left -= 32, shift += 32n) {
      let r = this.nextUint32();
      if (left < 32) r >>>= 32 - left;
      result |= BigInt(r) << shift;
    }
    return result;
  }

  /** `_randbelow_with_getrandbits(n)`: uniform in [0, n) for 0 < n ≤ 2^53 (k = n.bit_length()). */
  randbelow(n: number): number {
    if (!Number.isSafeInteger(n) || n <= 0) throw new PyRandomError("ValueError", `randbelow needs 0 < n ≤ 2^53, got ${n}`);
    const k = bitLength(n);
    if (k <= 32) {
      const shift = 32 - k;
      let r = this.nextUint32() >>> shift;
      while (r >= n) r = this.nextUint32() >>> shift;
      return r;
    }
    const big = BigInt(n);
    let r = this.getrandbits(k);
    while (r >= big) r = this.getrandbits(k);
    return Number(r);
  }

  /** `randrange(stop)` / `randrange(start, stop[, step])` (Lib/random.py, integer arguments). */
  randrange(start: number, stop?: number, step = 1): number {
    const istart = checkIndex(start, "start");
    if (stop === undefined) {
      if (step !== 1) throw new PyRandomError("TypeError", "Missing a non-None stop argument");
      if (istart > 0) return this.randbelow(istart);
      throw new PyRandomError("ValueError", "empty range for randrange()");
    }
    const istop = checkIndex(stop, "stop");
    const istep = checkIndex(step, "step");
    const width = istop - istart;
    if (istep === 1) {
      if (width > 0) return istart + this.randbelow(width);
      throw new PyRandomError("ValueError", `empty range in randrange(${start}, ${stop})`);
    }
    let n: number;
    if (istep > 0) n = Math.floor((width + istep - 1) / istep);
    else if (istep < 0) n = Math.floor((width + istep + 1) / istep);
    else throw new PyRandomError("ValueError", "zero step for randrange()");
    if (n <= 0) throw new PyRandomError("ValueError", `empty range in randrange(${start}, ${stop}, ${step})`);
    return istart + istep * this.randbelow(n);
  }

  /** `randint(a, b)`: randrange(a, b + 1). */
  randint(a: number, b: number): number {
    return this.randrange(a, b + 1);
  }

  /** `choice(seq)`: seq[_randbelow(len(seq))]. */
  choice<T>(seq: readonly T[]): T {
    if (seq.length === 0) throw new PyRandomError("IndexError", "Cannot choose from an empty sequence");
    return seq[this.randbelow(seq.length)];
  }

  /** `shuffle(x)` in place: for i from len−1 down to 1, swap x[i] with x[_randbelow(i + 1)]. */
  shuffle<T>(x: T[]): void {
    for (let i = x.length - 1; i > 0; i--) {
      const j = this.randbelow(i + 1);
      const tmp = x[i];
      x[i] = x[j];
      x[j] = tmp;
    }
  }
}
