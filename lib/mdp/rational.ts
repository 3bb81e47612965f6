/**
 * Exact rationals over BigInt, always in lowest terms with a positive denominator, so that equality
 * is structural and Theorem 3.2's three computations can be compared exactly rather than to 1e-12.
 * (mathjs fractions would do the same, but a plain BigInt pair is several times faster in the
 * ≥ 1000-MDP property tests and keeps lib/mdp free of dependencies.)
 */
export class Rational {
  /** Numerator and denominator, gcd-normalised, den > 0. */
  readonly num: bigint;
  readonly den: bigint;

  private constructor(num: bigint, den: bigint) {
    this.num = num;
    this.den = den;
  }

  static of(num: bigint | number, den: bigint | number = 1): Rational {
    let n = BigInt(num);
    let d = BigInt(den);
    if (d === 0n) throw new RangeError("Rational: zero denominator");
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const g = gcd(n < 0n ? -n : n, d);
    return g === 1n ? new Rational(n, d) : new Rational(n / g, d / g);
  }

  /**
   * Parse "p/q", "p" or a decimal such as "0.25" (exactly: 1/4). Returns null for anything else,
   * so callers can name the bad field in their own error.
   */
  static parse(text: string): Rational | null {
    const s = text.trim();
    const frac = /^([+-]?\d+)\s*\/\s*(\d+)$/.exec(s);
    if (frac) return BigInt(frac[2]) === 0n ? null : Rational.of(BigInt(frac[1]), BigInt(frac[2]));
    const dec = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s);
    if (dec && (dec[2] || dec[3])) {
      const digits = (dec[2] || "0") + (dec[3] ?? "");
      const scale = 10n ** BigInt((dec[3] ?? "").length);
      return Rational.of((dec[1] === "-" ? -1n : 1n) * BigInt(digits), scale);
    }
    return null;
  }

  /** The exact value of a finite float64 (every double is a dyadic rational). */
  static fromNumber(x: number): Rational {
    if (!Number.isFinite(x)) throw new RangeError(`Rational.fromNumber: ${x} is not finite`);
    if (Number.isInteger(x)) return Rational.of(BigInt(x));
    let den = 1n;
    let v = x;
    // Doubling is exact until v is an integer: at most 1074 steps for the smallest subnormal.
    while (!Number.isInteger(v)) {
      v *= 2;
      den *= 2n;
    }
    return Rational.of(BigInt(v), den);
  }

  add(o: Rational): Rational {
    return Rational.of(this.num * o.den + o.num * this.den, this.den * o.den);
  }
  sub(o: Rational): Rational {
    return Rational.of(this.num * o.den - o.num * this.den, this.den * o.den);
  }
  mul(o: Rational): Rational {
    return Rational.of(this.num * o.num, this.den * o.den);
  }
  div(o: Rational): Rational {
    if (o.num === 0n) throw new RangeError("Rational: division by zero");
    return Rational.of(this.num * o.den, this.den * o.num);
  }
  /** −1, 0 or 1. */
  cmp(o: Rational): number {
    const d = this.num * o.den - o.num * this.den;
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  }
  equals(o: Rational): boolean {
    return this.num === o.num && this.den === o.den;
  }
  isZero(): boolean {
    return this.num === 0n;
  }
  /** Nearest float64 (for display and plots; never for the comparisons). */
  toNumber(): number {
    // Scale both to ≤ 2^1000 so that huge numerators/denominators do not become Infinity/Infinity.
    const bits = Math.max(bitLength(this.num < 0n ? -this.num : this.num), bitLength(this.den));
    const shift = BigInt(Math.max(0, bits - 1000));
    return Number(this.num >> shift) / Number(this.den >> shift);
  }
  /** "p/q" in lowest terms, always with the slash ("0/1", "1/1"): the wire format of `stgrpo theory success`. */
  toString(): string {
    return `${this.num}/${this.den}`;
  }
}

export const ZERO = Rational.of(0);
export const ONE = Rational.of(1);

/** Sum of rationals (ZERO for none). */
export function sum(xs: Iterable<Rational>): Rational {
  let s = ZERO;
  for (const x of xs) s = s.add(x);
  return s;
}

/** Product of rationals (ONE for none). */
export function product(xs: Iterable<Rational>): Rational {
  let p = ONE;
  for (const x of xs) p = p.mul(x);
  return p;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}
