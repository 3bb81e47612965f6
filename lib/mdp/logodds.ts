/**
 * Probabilities near 1 in float64. For small β the success recursion drives 1 − p to 1e-435 and far
 * below, where p itself is 1.0 and 1 − p is 0: the information lives in the logit ℓ = log(p/(1−p)).
 * Everything here works from ℓ (or from log probabilities) and never forms 1 − p by subtraction.
 */

/** σ(ℓ) without overflow. */
export function sigmoid(l: number): number {
  if (l >= 0) return 1 / (1 + Math.exp(-l));
  const e = Math.exp(l);
  return e / (1 + e);
}

/** log(p / (1 − p)) for p in (0, 1). */
export function logit(p: number): number {
  return Math.log(p) - Math.log1p(-p);
}

/** log σ(ℓ) = −softplus(−ℓ), exact in the far tails (log σ(−ℓ) = log(1 − p)). */
export function logSigmoid(l: number): number {
  return l >= 0 ? -Math.log1p(Math.exp(-l)) : l - Math.log1p(Math.exp(l));
}

/** log(p(1 − p)) = log σ(ℓ) + log σ(−ℓ): the Bernoulli variance of the single-turn reward, in logs. */
export function logBernoulliVariance(l: number): number {
  const a = Math.abs(l);
  return -a - 2 * Math.log1p(Math.exp(-a));
}

/** p(1 − p) as a float (0 once it underflows; use logBernoulliVariance then). */
export function bernoulliVariance(l: number): number {
  const e = Math.exp(-Math.abs(l));
  return e / ((1 + e) * (1 + e));
}

/** log(e^x + e^y), with −Infinity as the log of 0. */
export function logAddExp(x: number, y: number): number {
  if (x === -Infinity) return y;
  if (y === -Infinity) return x;
  const m = Math.max(x, y);
  return m + Math.log1p(Math.exp(-Math.abs(x - y)));
}

/** log Σ e^{x_i} (−Infinity for an empty list or all −Infinity). */
export function logSumExp(xs: readonly number[]): number {
  let m = -Infinity;
  for (const x of xs) if (x > m) m = x;
  if (m === -Infinity || m === Infinity) return m;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}

/** Significant digits of every probability string (docs/design.md's contract: at least 10). */
export const SIGNIFICANT_DIGITS = 10;

/**
 * A probability given by its natural log, as scientific notation with 10 significant digits
 * ("5.075958898e-435"), correct far below float64's smallest number: below e^-650 the mantissa and
 * exponent come from log10 of the value, whose fractional part float64 still holds to ~13 digits for
 * exponents up to ~1e5 (the string is exactly as good as the float log it is given).
 */
export function formatLogProbability(lnx: number): string {
  if (lnx === -Infinity) return "0";
  if (Number.isNaN(lnx) || lnx > 1e-12) throw new RangeError(`formatLogProbability: ${lnx} is not the log of a probability`);
  if (lnx > -650) return Math.exp(Math.min(lnx, 0)).toExponential(SIGNIFICANT_DIGITS - 1);
  const l10 = lnx * Math.LOG10E;
  let exponent = Math.floor(l10);
  let mantissa = Math.pow(10, l10 - exponent); // l10 − exponent is computed exactly
  let digits = mantissa.toFixed(SIGNIFICANT_DIGITS - 1);
  if (digits.startsWith("10")) {
    exponent += 1;
    mantissa /= 10;
    digits = mantissa.toFixed(SIGNIFICANT_DIGITS - 1);
  }
  return `${digits}e${exponent}`;
}

/** 1 − σ(ℓ) as a 10-digit string, from the logit alone. */
export function oneMinusSigmoidString(l: number): string {
  if (l === Infinity) return "0";
  return formatLogProbability(logSigmoid(-l));
}

/**
 * Parse a probability string of the kind formatLogProbability writes (or any decimal) into its
 * natural log, without going through a float that would underflow: "5.07e-435" → −1000.0…
 */
export function parseLogProbability(s: string): number {
  const m = /^\s*([0-9]*\.?[0-9]+)(?:e([+-]?\d+))?\s*$/i.exec(s);
  if (!m) throw new RangeError(`parseLogProbability: "${s}" is not a number`);
  return Math.log(Number(m[1])) + Number(m[2] ?? 0) * Math.LN10;
}
