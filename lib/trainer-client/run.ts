/**
 * Drive the Python trainer (`python -m trainer sft|grpo --config FILE`, trainer/__main__.py) from
 * TypeScript: spawn it from the project venv, follow its metrics JSONL into a progress sink while it
 * runs (terminal or notebook display), and wait for it. Rerunning the same config resumes (the
 * trainer picks up its newest checkpoint), so an interrupted notebook cell is simply run again.
 *
 * The trainer speaks on stdout in JSON events, one per line: {"event":"start"|"resume"|"done", …};
 * its own logging (TRL, transformers) goes to stderr, which is kept in `<output_dir>/trainer-<stage>.log`
 * and whose last line becomes the one-line error when the run fails.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "../util/errors";
import { REPO_ROOT } from "../util/profile";
import type { ProgressSink } from "../util/progress";
import { formatSeconds, silentProgress } from "../util/progress";
import { trainerPython } from "./gpu";

export type Stage = "sft" | "grpo";

/** One line of metrics.jsonl (trainer/metrics.py); absent fields were not logged at that step. */
export interface TrainerMetrics {
  kind: "step" | "summary";
  stage: Stage;
  step: number;
  epoch: number | null;
  time: number;
  elapsed_s: number;
  loss?: number | null;
  learning_rate?: number;
  grad_norm?: number | null;
  tokens?: number;
  tokens_per_s?: number;
  /** SFT: fraction of completion tokens predicted right (TRL's mean_token_accuracy). */
  token_accuracy?: number;
  entropy?: number;
  /** GRPO: the single-turn reward 0.1·format + 0.9·action, mean over the step's completions. */
  reward?: number;
  reward_std?: number;
  reward_format?: number;
  reward_action?: number;
  /** GRPO: fraction of sampled completions whose action is the expert's (= reward_action). */
  accuracy?: number;
  kl?: number;
  completion_length?: number;
  trl: Record<string, unknown>;
}

export interface TrainerEvent {
  event: string;
  [key: string]: unknown;
}

export interface TrainingOptions {
  stage: Stage;
  /** A YAML/JSON config (trainer/configs/*.yaml). */
  config: string;
  /** Dotted overrides, passed as `--set key=<JSON>`: `{ "trl.max_steps": 4, output_dir: "/tmp/x" }`. */
  set?: Record<string, unknown>;
  python?: string;
  env?: NodeJS.ProcessEnv;
  /** Where progress lines go (default: nowhere); `terminalProgress()` or `notebookProgress()`. */
  progress?: ProgressSink;
  /** Called with every metrics line as it is written (live plots). */
  onMetrics?: (m: TrainerMetrics) => void;
  /** Also copy the trainer's stderr to ours (default false; it is always kept in the log file). */
  echo?: boolean;
  /** How often the metrics file is read (default 500 ms). */
  pollMs?: number;
}

export interface TrainingResult {
  stage: Stage;
  outputDir: string;
  /** The trained model directory (what `serveModel` and the next stage load). */
  final: string;
  steps: number;
  metricsFile: string;
  metrics: TrainerMetrics[];
  /** True when the run had already finished and nothing was trained. */
  already: boolean;
  /** The checkpoint this run resumed from, if any. */
  resumedFrom: string | null;
  events: TrainerEvent[];
}

/** Every child this module started, so that none outlives the notebook or CLI that started it. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
export function track(child: ChildProcess): void {
  live.add(child);
  child.once("exit", () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const c of live) c.kill("SIGTERM");
    });
  }
}

/**
 * A `--set` value as the trainer reads it (YAML): JSON, which is YAML, except that plain path-like
 * strings go unquoted so that printed commands stay readable.
 */
export function setValue(value: unknown): string {
  const plain = typeof value === "string" && /^[A-Za-z_./~][\w./@~+-]*$/.test(value) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(value);
  return plain ? (value as string) : JSON.stringify(value);
}

/** The trainer's command line. */
export function trainerArgs(stage: string, config: string, set: Record<string, unknown> = {}): string[] {
  const args = ["-m", "trainer", stage, "--config", config];
  for (const [key, value] of Object.entries(set)) args.push("--set", `${key}=${setValue(value)}`);
  return args;
}

/** Spawn `python -m trainer …` in the repository root, unbuffered, with one-line spawn errors. */
export function spawnTrainer(args: string[], opts: { python?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  const python = opts.python ?? trainerPython(opts.env);
  if (!fs.existsSync(python)) {
    throw new UserError(`no trainer Python at ${python}: run \`make setup-trainer\` (CPU) or STGRPO_TRAINER=gpu scripts/setup.sh`);
  }
  const child = spawn(python, args, {
    cwd: REPO_ROOT,
    env: { ...(opts.env ?? process.env), PYTHONUNBUFFERED: "1", STGRPO_DIE_WITH_PARENT: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  track(child);
  return child;
}

/** Split a stream into lines, calling `onLine` for each complete one. */
export function onLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buf = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      onLine(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  stream.on("end", () => {
    if (buf) onLine(buf);
  });
}

/** The last informative stderr line: our own `trainer …:` message, else a traceback's final line. */
export function failureLine(stderr: string[]): string {
  const lines = stderr.map((l) => l.trim()).filter(Boolean);
  const ours = lines.filter((l) => l.startsWith("trainer ")).pop();
  return ours ?? lines.pop() ?? "no output";
}

/** Reads the complete lines appended to a JSONL file since the last call (a torn tail waits). */
export class JsonlFollower<T> {
  private offset = 0;
  private rest = "";
  constructor(readonly file: string) {}
  read(): T[] {
    let fd: number;
    try {
      fd = fs.openSync(this.file, "r");
    } catch {
      return [];
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size < this.offset) {
        // The trainer rewrote the file (resume drops lines after the checkpoint): read it again.
        this.offset = 0;
        this.rest = "";
      }
      if (size === this.offset) return [];
      const buf = Buffer.alloc(size - this.offset);
      fs.readSync(fd, buf, 0, buf.length, this.offset);
      this.offset = size;
      const text = this.rest + buf.toString("utf8");
      const lines = text.split("\n");
      this.rest = lines.pop() ?? "";
      return lines.filter((l) => l.trim()).map((l) => JSON.parse(l) as T);
    } finally {
      fs.closeSync(fd);
    }
  }
}

/** A progress line for one metrics record: step, epoch, and the numbers that matter for the stage. */
export function metricsLine(m: TrainerMetrics, totalSteps?: number): string {
  const parts = [`${m.stage} step ${m.step}${totalSteps ? `/${totalSteps}` : ""}`];
  if (m.epoch != null) parts.push(`epoch ${m.epoch.toFixed(2)}`);
  const num = (label: string, v: number | null | undefined, digits = 3) => {
    if (typeof v === "number") parts.push(`${label} ${v.toFixed(digits)}`);
  };
  num("loss", m.loss, 4);
  num("reward", m.reward);
  num("acc", m.accuracy ?? m.token_accuracy);
  num("kl", m.kl, 4);
  if (typeof m.tokens_per_s === "number") parts.push(`${Math.round(m.tokens_per_s)} tok/s`);
  parts.push(formatSeconds(m.elapsed_s));
  return parts.join(" · ");
}

/** A training run in progress. */
export class TrainingRun {
  readonly events: TrainerEvent[] = [];
  readonly metrics: TrainerMetrics[] = [];
  readonly stderr: string[] = [];
  readonly done: Promise<TrainingResult>;
  outputDir: string | null = null;
  private follower: JsonlFollower<TrainerMetrics> | null = null;
  private log: string | null = null;
  private stopped = false;

  constructor(readonly child: ChildProcess, readonly opts: TrainingOptions) {
    const progress = opts.progress ?? silentProgress;
    onLines(child.stdout!, (line) => this.onStdout(line));
    onLines(child.stderr!, (line) => this.onStderr(line));
    const timer = setInterval(() => this.poll(progress), opts.pollMs ?? 500);
    this.done = new Promise<TrainingResult>((resolve, reject) => {
      child.once("error", (e) => {
        clearInterval(timer);
        reject(new UserError(`cannot start the trainer: ${e.message}`));
      });
      child.once("close", (code, signal) => {
        clearInterval(timer);
        this.poll(progress);
        const done = this.events.find((e) => e.event === "done");
        if (code === 0 && done) {
          const result = this.result(done);
          const last = result.metrics.filter((m) => m.kind === "step").pop();
          progress.done(done.already ? `${opts.stage}: already finished (${result.final})` : last ? metricsLine(last) : `${opts.stage} done`);
          resolve(result);
          return;
        }
        const why = this.stopped ? "stopped" : signal ? `killed by ${signal}` : `exit ${code}`;
        reject(new UserError(`trainer ${opts.stage} failed (${why}): ${failureLine(this.stderr)}${this.log ? ` — log: ${this.log}` : ""}`));
      });
    });
    // A rejected `done` nobody awaited yet must not crash the process before the caller gets to it.
    this.done.catch(() => undefined);
  }

  /** Stop the run (SIGTERM, or SIGKILL to simulate a crash); a later run with the same config resumes. */
  stop(signal: NodeJS.Signals = "SIGTERM"): void {
    this.stopped = true;
    this.child.kill(signal);
  }

  private onStdout(line: string): void {
    let ev: TrainerEvent;
    try {
      ev = JSON.parse(line);
    } catch {
      this.onStderr(line); // a stray print: keep it with the log
      return;
    }
    if (!ev || typeof ev.event !== "string") return;
    this.events.push(ev);
    if (typeof ev.output_dir === "string" && !this.outputDir) this.setOutputDir(ev.output_dir);
    if (typeof ev.metrics === "string" && !this.follower) this.follower = new JsonlFollower<TrainerMetrics>(ev.metrics);
  }

  private setOutputDir(dir: string): void {
    this.outputDir = path.resolve(REPO_ROOT, dir);
    this.log = path.join(this.outputDir, `trainer-${this.opts.stage}.log`);
    fs.appendFileSync(this.log, this.stderr.map((l) => l + "\n").join(""));
  }

  private onStderr(line: string): void {
    this.stderr.push(line);
    if (this.stderr.length > 400) this.stderr.splice(0, this.stderr.length - 200);
    if (this.log) fs.appendFileSync(this.log, line + "\n");
    if (this.opts.echo) process.stderr.write(line + "\n");
  }

  private poll(progress: ProgressSink): void {
    if (!this.follower) return;
    let rows: TrainerMetrics[];
    try {
      rows = this.follower.read();
    } catch {
      return; // a line being written: next poll
    }
    for (const m of rows) {
      // After a resume the file was rewritten from the checkpoint on: keep one record per step.
      while (this.metrics.length && this.metrics[this.metrics.length - 1].step >= m.step && m.kind === "step") this.metrics.pop();
      this.metrics.push(m);
      this.opts.onMetrics?.(m);
      if (m.kind === "step") progress.update(metricsLine(m));
    }
  }

  private result(done: TrainerEvent): TrainingResult {
    const final = path.resolve(REPO_ROOT, String(done.final));
    const metricsFile = path.resolve(REPO_ROOT, String(done.metrics));
    const metrics = this.metrics.length ? this.metrics : readMetrics(metricsFile);
    return {
      stage: this.opts.stage,
      outputDir: path.dirname(final),
      final,
      steps: Number(done.steps),
      metricsFile,
      metrics,
      already: done.already === true,
      resumedFrom: typeof done.resumed_from === "string" ? done.resumed_from : null,
      events: this.events,
    };
  }
}

/** Read a whole metrics.jsonl (a finished run's, or to plot one that another process is writing). */
export function readMetrics(file: string): TrainerMetrics[] {
  return new JsonlFollower<TrainerMetrics>(file).read();
}

/** Start a training run; `await run.done` for its result. */
export function startTraining(opts: TrainingOptions): TrainingRun {
  const child = spawnTrainer(trainerArgs(opts.stage, opts.config, opts.set), opts);
  return new TrainingRun(child, opts);
}

/** Train and wait: resolves with the result, or rejects with a one-line UserError. */
export function train(opts: TrainingOptions): Promise<TrainingResult> {
  return startTraining(opts).done;
}
