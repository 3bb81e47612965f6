/**
 * The learned policy's scorer: π(a | s) = softmax over the valid actions of score(s, a), with
 *
 * - `linear` (log-linear): score = w · φ(s, a);
 * - `mlp`: score = w · φ(s, a) + v · tanh(W φ(s, a) + b) — the log-linear model plus a small hidden layer.
 *
 * φ is sparse and binary (features.ts), so a forward pass touches only the rows of the active features,
 * and gradients are sparse too: the trainers compute ∂L/∂score per candidate (the only place the
 * algorithms differ), and `backward` turns that into parameter gradients. Both models start at score 0,
 * i.e. the uniform policy over the valid actions — the untrained reference.
 *
 * Pure TypeScript, Float64Array. The MLP's first layer is initialised lazily from a hash of
 * (seed, row, column), so untouched rows need neither memory traffic nor checkpoint space and a
 * resumed run sees the same values.
 */
import { FeaturizedState } from "./features";
import { mixSeed, Rng } from "../util/rng";

export interface ModelConfig {
  kind: "linear" | "mlp";
  /** log2 of the hashed feature space (must match the features). */
  bits: number;
  /** Hidden units of the mlp (ignored for linear). */
  hidden: number;
  /** Scale of the mlp's first-layer init (normal × initScale). */
  initScale: number;
  /** Seed for the mlp's init. */
  seed: number;
}

export const DEFAULT_MODEL: ModelConfig = { kind: "linear", bits: 18, hidden: 16, initScale: 0.1, seed: 0 };

/** A parameter tensor stored row-major, `rows × rowSize`. */
export interface Tensor {
  name: string;
  rows: number;
  rowSize: number;
  data: Float64Array;
}

/** A sparse gradient over a model's tensors: dense buffers plus the list of touched rows. */
export class Grad {
  readonly data: Float64Array[];
  readonly touched: number[][];
  private readonly mark: Uint8Array[];
  constructor(readonly tensors: Tensor[]) {
    this.data = tensors.map((t) => new Float64Array(t.data.length));
    this.touched = tensors.map(() => []);
    this.mark = tensors.map((t) => new Uint8Array(t.rows));
  }
  touch(t: number, row: number): void {
    if (!this.mark[t][row]) {
      this.mark[t][row] = 1;
      this.touched[t].push(row);
    }
  }
  /** Multiply every touched entry by c (e.g. 1/batch). */
  scale(c: number): void {
    for (let t = 0; t < this.data.length; t++) {
      const rs = this.tensors[t].rowSize;
      for (const r of this.touched[t]) for (let j = 0; j < rs; j++) this.data[t][r * rs + j] *= c;
    }
  }
  /** Squared L2 norm of the gradient. */
  normSq(): number {
    let s = 0;
    for (let t = 0; t < this.data.length; t++) {
      const rs = this.tensors[t].rowSize;
      for (const r of this.touched[t])
        for (let j = 0; j < rs; j++) {
          const g = this.data[t][r * rs + j];
          s += g * g;
        }
    }
    return s;
  }
  clear(): void {
    for (let t = 0; t < this.data.length; t++) {
      const rs = this.tensors[t].rowSize;
      for (const r of this.touched[t]) {
        this.data[t].fill(0, r * rs, r * rs + rs);
        this.mark[t][r] = 0;
      }
      this.touched[t].length = 0;
    }
  }
}

/** The forward pass of one state, kept for the backward pass. */
export interface Forward {
  scores: Float64Array;
  /** mlp only: hidden activations, n × hidden. */
  hidden?: Float64Array;
}

export interface PolicyModel {
  readonly config: ModelConfig;
  readonly tensors: Tensor[];
  forward(x: FeaturizedState): Forward;
  /** Accumulate ∂L/∂θ into `grad` given ∂L/∂score for each candidate of `x`. */
  backward(x: FeaturizedState, fwd: Forward, dscores: ArrayLike<number>, grad: Grad): void;
  /** Rows materialised so far (for checkpoints): per tensor, a mask or null for "all". */
  materialised(t: number): Uint8Array | null;
  markMaterialised(t: number, row: number): void;
}

export class LinearModel implements PolicyModel {
  readonly tensors: Tensor[];
  constructor(readonly config: ModelConfig) {
    const d = 1 << config.bits;
    this.tensors = [{ name: "w", rows: d, rowSize: 1, data: new Float64Array(d) }];
  }
  forward(x: FeaturizedState): Forward {
    const w = this.tensors[0].data;
    const scores = new Float64Array(x.n);
    for (let k = 0; k < x.n; k++) {
      let s = 0;
      for (let p = x.offsets[k]; p < x.offsets[k + 1]; p++) s += w[x.indices[p]];
      scores[k] = s;
    }
    return { scores };
  }
  backward(x: FeaturizedState, _fwd: Forward, dscores: ArrayLike<number>, grad: Grad): void {
    const g = grad.data[0];
    for (let k = 0; k < x.n; k++) {
      const d = dscores[k];
      if (d === 0) continue;
      for (let p = x.offsets[k]; p < x.offsets[k + 1]; p++) {
        const f = x.indices[p];
        grad.touch(0, f);
        g[f] += d;
      }
    }
  }
  materialised(): Uint8Array | null {
    return null;
  }
  markMaterialised(): void {}
}

export class MlpModel implements PolicyModel {
  readonly tensors: Tensor[];
  private readonly init: Uint8Array;
  constructor(readonly config: ModelConfig) {
    const d = 1 << config.bits;
    const h = config.hidden;
    this.tensors = [
      { name: "w", rows: d, rowSize: 1, data: new Float64Array(d) },
      { name: "W", rows: d, rowSize: h, data: new Float64Array(d * h) },
      { name: "b", rows: 1, rowSize: h, data: new Float64Array(h) },
      // v starts at zero: the initial policy is uniform; ∂L/∂v ∝ h ≠ 0 breaks the symmetry at once.
      { name: "v", rows: 1, rowSize: h, data: new Float64Array(h) },
    ];
    this.init = new Uint8Array(d);
  }
  /** Lazily initialise row f of W from a hash of (seed, f): order-independent and reproducible. */
  private row(f: number): void {
    if (this.init[f]) return;
    this.init[f] = 1;
    const h = this.config.hidden;
    const rng = new Rng(mixSeed(this.config.seed, 0x57a7e, f));
    const W = this.tensors[1].data;
    for (let j = 0; j < h; j++) W[f * h + j] = rng.normal() * this.config.initScale;
  }
  forward(x: FeaturizedState): Forward {
    const h = this.config.hidden;
    const [wT, WT, bT, vT] = this.tensors;
    const w = wT.data,
      W = WT.data,
      b = bT.data,
      v = vT.data;
    const scores = new Float64Array(x.n);
    const hidden = new Float64Array(x.n * h);
    const pre = new Float64Array(h);
    for (let k = 0; k < x.n; k++) {
      pre.set(b);
      let s = 0;
      for (let p = x.offsets[k]; p < x.offsets[k + 1]; p++) {
        const f = x.indices[p];
        s += w[f];
        this.row(f);
        const o = f * h;
        for (let j = 0; j < h; j++) pre[j] += W[o + j];
      }
      for (let j = 0; j < h; j++) {
        const a = Math.tanh(pre[j]);
        hidden[k * h + j] = a;
        s += v[j] * a;
      }
      scores[k] = s;
    }
    return { scores, hidden };
  }
  backward(x: FeaturizedState, fwd: Forward, dscores: ArrayLike<number>, grad: Grad): void {
    const h = this.config.hidden;
    const v = this.tensors[3].data;
    const [gw, gW, gb, gv] = grad.data;
    const hid = fwd.hidden!;
    const dpre = new Float64Array(h);
    grad.touch(2, 0);
    grad.touch(3, 0);
    for (let k = 0; k < x.n; k++) {
      const d = dscores[k];
      if (d === 0) continue;
      for (let j = 0; j < h; j++) {
        const a = hid[k * h + j];
        gv[j] += d * a;
        dpre[j] = d * v[j] * (1 - a * a);
        gb[j] += dpre[j];
      }
      for (let p = x.offsets[k]; p < x.offsets[k + 1]; p++) {
        const f = x.indices[p];
        grad.touch(0, f);
        gw[f] += d;
        grad.touch(1, f);
        const o = f * h;
        for (let j = 0; j < h; j++) gW[o + j] += dpre[j];
      }
    }
  }
  materialised(t: number): Uint8Array | null {
    return t === 1 ? this.init : null;
  }
  markMaterialised(t: number, row: number): void {
    if (t === 1) this.init[row] = 1;
  }
}

export function createModel(config: Partial<ModelConfig> = {}): PolicyModel {
  const cfg = { ...DEFAULT_MODEL, ...config };
  return cfg.kind === "mlp" ? new MlpModel(cfg) : new LinearModel(cfg);
}

// ---------------------------------------------------------------------------------------------------
// Softmax helpers

/** log π(·|s) over the candidates, computed stably (max-shifted). */
export function logSoftmax(scores: ArrayLike<number>, temperature = 1): Float64Array {
  const n = scores.length;
  const out = new Float64Array(n);
  let m = -Infinity;
  for (let i = 0; i < n; i++) m = Math.max(m, scores[i] / temperature);
  let z = 0;
  for (let i = 0; i < n; i++) z += Math.exp(scores[i] / temperature - m);
  const lz = m + Math.log(z);
  for (let i = 0; i < n; i++) out[i] = scores[i] / temperature - lz;
  return out;
}

export function softmax(scores: ArrayLike<number>, temperature = 1): Float64Array {
  const lp = logSoftmax(scores, temperature);
  for (let i = 0; i < lp.length; i++) lp[i] = Math.exp(lp[i]);
  return lp;
}

/** Index of the largest score; ties go to the first (deterministic greedy decoding). */
export function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
}

// ---------------------------------------------------------------------------------------------------
// Adam with lazy (sparse) updates

export interface AdamConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled weight decay (AdamW), applied to the rows a step touches. */
  weightDecay: number;
  /** Clip the global gradient norm (0 = off). */
  maxGradNorm: number;
}

export const DEFAULT_ADAM: AdamConfig = { lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, maxGradNorm: 0 };

/**
 * Adam whose moments are updated only on the rows a step touches ("lazy Adam", as for sparse
 * embeddings): with hashed sparse features the other rows have zero gradient, and skipping them makes
 * a step cost O(active features) instead of O(2^bits). Bias correction uses the global step count.
 */
export class Adam {
  readonly m: Float64Array[];
  readonly v: Float64Array[];
  t = 0;
  constructor(
    readonly model: PolicyModel,
    readonly config: AdamConfig,
  ) {
    this.m = model.tensors.map((t) => new Float64Array(t.data.length));
    this.v = model.tensors.map((t) => new Float64Array(t.data.length));
  }
  /** Apply one step with gradient `grad` (already averaged over the batch); returns the gradient norm. */
  step(grad: Grad, lr = this.config.lr): number {
    const { beta1, beta2, eps, weightDecay, maxGradNorm } = this.config;
    const norm = Math.sqrt(grad.normSq());
    const clip = maxGradNorm > 0 && norm > maxGradNorm ? maxGradNorm / norm : 1;
    this.t++;
    const c1 = 1 - Math.pow(beta1, this.t);
    const c2 = 1 - Math.pow(beta2, this.t);
    for (let ti = 0; ti < this.model.tensors.length; ti++) {
      const T = this.model.tensors[ti];
      const p = T.data,
        g = grad.data[ti],
        m = this.m[ti],
        v = this.v[ti];
      const rs = T.rowSize;
      for (const r of grad.touched[ti]) {
        for (let j = r * rs; j < r * rs + rs; j++) {
          const gj = g[j] * clip;
          m[j] = beta1 * m[j] + (1 - beta1) * gj;
          v[j] = beta2 * v[j] + (1 - beta2) * gj * gj;
          if (weightDecay > 0) p[j] -= lr * weightDecay * p[j];
          p[j] -= (lr * (m[j] / c1)) / (Math.sqrt(v[j] / c2) + eps);
        }
      }
    }
    return norm;
  }
}

// ---------------------------------------------------------------------------------------------------
// Serialisation (exact: float64 bytes, base64; only rows that are non-zero or materialised)

export interface TensorJson {
  name: string;
  rows: number;
  rowSize: number;
  /** base64 Int32Array of stored row indices. */
  index: string;
  /** base64 Float64Array of those rows, concatenated. */
  data: string;
}

function b64(a: Int32Array | Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
}
function fromB64F(s: string): Float64Array {
  const buf = Buffer.from(s, "base64");
  const out = new Float64Array(buf.byteLength / 8);
  new Uint8Array(out.buffer).set(buf);
  return out;
}
function fromB64I(s: string): Int32Array {
  const buf = Buffer.from(s, "base64");
  const out = new Int32Array(buf.byteLength / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** Encode arrays that share a shape (a tensor and its Adam moments) keeping the union of their non-zero rows. */
function encodeRows(name: string, rows: number, rowSize: number, arrays: Float64Array[], keep: Uint8Array | null): TensorJson[] {
  const idx: number[] = [];
  for (let r = 0; r < rows; r++) {
    let nz = keep ? keep[r] === 1 : false;
    for (let a = 0; a < arrays.length && !nz; a++) {
      const arr = arrays[a];
      for (let j = r * rowSize; j < r * rowSize + rowSize; j++)
        if (arr[j] !== 0) {
          nz = true;
          break;
        }
    }
    if (nz) idx.push(r);
  }
  const index = Int32Array.from(idx);
  return arrays.map((arr) => {
    const data = new Float64Array(idx.length * rowSize);
    idx.forEach((r, k) => data.set(arr.subarray(r * rowSize, r * rowSize + rowSize), k * rowSize));
    return { name, rows, rowSize, index: b64(index), data: b64(data) };
  });
}

function decodeInto(tj: TensorJson, target: Float64Array, onRow?: (r: number) => void): void {
  const index = fromB64I(tj.index);
  const data = fromB64F(tj.data);
  index.forEach((r, k) => {
    target.set(data.subarray(k * tj.rowSize, (k + 1) * tj.rowSize), r * tj.rowSize);
    onRow?.(r);
  });
}

export interface ModelJson {
  format: "stgrpo-learn-model-v1";
  config: ModelConfig;
  tensors: TensorJson[];
}

export function modelToJson(model: PolicyModel): ModelJson {
  const tensors = model.tensors.flatMap((T, i) => encodeRows(T.name, T.rows, T.rowSize, [T.data], model.materialised(i)));
  return { format: "stgrpo-learn-model-v1", config: model.config, tensors };
}

export function modelFromJson(j: ModelJson): PolicyModel {
  if (j?.format !== "stgrpo-learn-model-v1") throw new Error(`not a stgrpo learn model (format ${JSON.stringify(j?.format)})`);
  const model = createModel(j.config);
  model.tensors.forEach((T, i) => {
    const tj = j.tensors.find((x) => x.name === T.name);
    if (tj) decodeInto(tj, T.data, (r) => model.markMaterialised(i, r));
  });
  return model;
}

export interface AdamJson {
  t: number;
  config: AdamConfig;
  m: TensorJson[];
  v: TensorJson[];
}

export function adamToJson(opt: Adam): AdamJson {
  const m: TensorJson[] = [];
  const v: TensorJson[] = [];
  opt.model.tensors.forEach((T, i) => {
    const [mj, vj] = encodeRows(T.name, T.rows, T.rowSize, [opt.m[i], opt.v[i]], null);
    m.push(mj);
    v.push(vj);
  });
  return { t: opt.t, config: opt.config, m, v };
}

export function adamFromJson(model: PolicyModel, j: AdamJson): Adam {
  const opt = new Adam(model, j.config);
  opt.t = j.t;
  model.tensors.forEach((T, i) => {
    const mj = j.m.find((x) => x.name === T.name);
    const vj = j.v.find((x) => x.name === T.name);
    if (mj) decodeInto(mj, opt.m[i]);
    if (vj) decodeInto(vj, opt.v[i]);
  });
  return opt;
}

/** A deep copy of a model (e.g. the frozen reference π_ref, or π_old). */
export function cloneModel(model: PolicyModel): PolicyModel {
  const c = createModel(model.config);
  model.tensors.forEach((T, i) => {
    c.tensors[i].data.set(T.data);
    const mat = model.materialised(i);
    if (mat) mat.forEach((x, r) => x && c.markMaterialised(i, r));
  });
  return c;
}

/** π(·|s) of a model on one featurised state. */
export function policyProbs(model: PolicyModel, x: FeaturizedState, temperature = 1): Float64Array {
  return softmax(model.forward(x).scores, temperature);
}
