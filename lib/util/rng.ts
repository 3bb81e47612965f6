/**
 * A small seeded PRNG for the learners (sampling actions, shuffling data, initialising weights).
 *
 * Determinism and resume: every training step draws from its own stream, `streamRng(seed, tag, step)`,
 * instead of one generator threaded through the run. A run resumed from a checkpoint at step k therefore
 * draws exactly the numbers the uninterrupted run drew, without saving generator state.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's small fast counting generator, 128-bit state), seeded
 * through splitmix32 — both are standard, public-domain, and pass PractRand at this scale.
 * (lib/kitchen has a CPython `random` port for bit-exact layouts; the learners do not need CPython's
 * stream, only a fast reproducible one.)
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      const z = splitmix32(s);
      s = (s + 0x9e3779b9) >>> 0;
      return z;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** A uniform float in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.u32() >>> 5; // 27 bits
    const lo = this.u32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    if (!(n >= 1)) throw new RangeError(`Rng.int: n must be ≥ 1, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** A standard normal (Box–Muller). */
  normal(): number {
    let u = this.next();
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** An index drawn from `probs` (non-negative, summing to ~1); the last index absorbs rounding. */
  categorical(probs: ArrayLike<number>): number {
    return categorical(probs, this.next());
  }

  /** A uniformly shuffled copy of 0..n−1 (Fisher–Yates). */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}

/** splitmix32's output for state x (the state advances by 0x9e3779b9): a well-mixed 32-bit value of x. */
export function splitmix32(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a over a string's UTF-16 code units: the project's one string → 32-bit hash. */
export function hashString(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mix integers into one 32-bit seed (order matters). */
export function mixSeed(...parts: number[]): number {
  let h = 0x243f6a88;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x9e3779b1) >>> 0;
    h = (h ^ (h >>> 15)) >>> 0;
    h = Math.imul(h, 0x85ebca77) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
  }
  return h >>> 0;
}

/** The generator for one step of one purpose of a run: independent of how the run was interrupted. */
export function streamRng(seed: number, tag: string, step: number): Rng {
  return new Rng(mixSeed(seed, hashString(tag), step));
}

/** An index drawn from `probs` with one uniform `u` ∈ [0, 1) (the last positive index absorbs rounding). */
export function categorical(probs: ArrayLike<number>, u: number): number {
  let acc = 0;
  for (let i = 0; i < probs.length; i++) {
    acc += probs[i];
    if (u < acc) return i;
  }
  for (let i = probs.length - 1; i >= 0; i--) if (probs[i] > 0) return i;
  return probs.length - 1;
}

/** mulberry32: a tiny seeded uniform generator, for bootstrap resampling, Monte-Carlo checks and benches. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
