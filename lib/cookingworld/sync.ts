/**
 * The synchronous CookingWorld client, for code that steps an environment in a plain loop the way it
 * steps the Robotouille kitchen (`kitchen.step(a)` returns at once): same JVM, same protocol, same
 * errors as engine.ts, but every call blocks until the engine answered.
 *
 *   const engine = new CookingWorldSyncEngine();
 *   const env = engine.env();
 *   const s0 = env.reset("cookingworld-1", 0);
 *   const s1 = env.step(s0.validActions[0]);
 *   engine.stop();
 *
 * How: the JVM reads requests from and writes answers to two named pipes (`Server --in --out`), which
 * this thread opens read-write — opening never blocks that way — and then writes and reads with plain
 * blocking fs.writeSync/readSync: one kernel wake-up per answer, as fast as the asynchronous client's
 * pipe. Because a blocked read cannot time out or see the JVM die, a worker thread owns the JVM as a
 * watchdog: when the JVM exits it writes a `{"fatal": …}` line into the answer pipe (which unblocks the
 * read), and when a request outlives its deadline (kept in shared memory) it kills the JVM. The worker
 * is eval'd JavaScript, so this works the same under tsx, ava and tslab. A dead JVM or a time-out is a
 * CookingWorldError naming the game, seed and step; the next call starts a new JVM and replays the
 * environments it held. Linux (named pipes opened read-write).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from "node:worker_threads";
import { Fold } from "./levels";
import {
  CookingWorldError,
  CookingWorldPlan,
  CookingWorldReset,
  CookingWorldState,
  DEFAULT_JVM_OPTIONS,
  EnvRecord,
  GoldPath,
  Response,
  Seeds,
  Tail,
  decodeGold,
  decodePlan,
  describeGame,
  engineCommand,
  exitMessage,
  gameFields,
  resolveGame,
  trackPid,
  untrackPid,
} from "./protocol";
import type { EngineOptions } from "./engine";

/**
 * The watchdog: spawn the JVM on the pipes, report its pid, stderr and exit; on exit write the fatal line
 * into the answer pipe; kill it when shared[1] (a deadline, ms after shared[2]·1000) has passed.
 */
const WATCHDOG = `
const { workerData } = require("node:worker_threads");
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const port = workerData.port;
const shared = new Int32Array(workerData.shared);
const post = (m) => { port.postMessage(m); Atomics.add(shared, 0, 1); Atomics.notify(shared, 0); };
const cmd = workerData.command;
// Opened before the JVM starts (the main thread holds the pipe open): the paths are removed once it runs.
const answers = fs.openSync(workerData.answers, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
const child = spawn(cmd.command, [...cmd.args, "--in", workerData.requests, "--out", workerData.answers], { cwd: cmd.cwd, stdio: ["ignore", "ignore", "pipe"] });
const fatal = (m) => {
  try {
    fs.writeSync(answers, "\\n" + JSON.stringify({ fatal: m }) + "\\n");
  } catch (e) {}
};
let timedOut = false;
child.stderr.setEncoding("utf8");
child.stderr.on("data", (c) => port.postMessage({ type: "stderr", text: c }));
child.on("error", (e) => { fatal({ error: e.message }); post({ type: "error", message: e.message }); });
child.on("exit", (code, signal) => { fatal({ code, signal, timedOut }); post({ type: "exit", code, signal }); clearInterval(timer); });
const timer = setInterval(() => {
  const deadline = Atomics.load(shared, 1);
  if (deadline !== 0 && Date.now() - shared[2] * 1000 > deadline) { timedOut = true; child.kill("SIGKILL"); }
}, 10);
post({ type: "started", pid: child.pid });
`;

/** Named-pipe directories in use, removed when this process exits (stop() removes its own). */
const PIPE_DIRS = new Set<string>();
let pipeHookInstalled = false;

function trackDir(dir: string): void {
  PIPE_DIRS.add(dir);
  if (pipeHookInstalled) return;
  pipeHookInstalled = true;
  process.on("exit", () => {
    for (const d of PIPE_DIRS) fs.rmSync(d, { recursive: true, force: true });
  });
}

function removeDir(dir: string): void {
  PIPE_DIRS.delete(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

type WatchdogMessage =
  | { type: "started"; pid: number }
  | { type: "stderr"; text: string }
  | { type: "error"; message: string }
  | { type: "exit"; code: number | null; signal: string | null };

/** One JVM on two named pipes, called synchronously, watched by a worker. */
class SyncProcess {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  /** [0] message counter, [1] deadline of the request in flight (ms after [2] s; 0: none), [2] base (s). */
  private readonly shared = new Int32Array(new SharedArrayBuffer(12));
  private readonly dir: string;
  private readonly requests: number;
  private readonly answers: number;
  private readonly stderr = new Tail();
  private readonly buffer = Buffer.alloc(1 << 16);
  private pending = "";
  private nextId = 1;
  pid: number | undefined;
  dead: string | null = null;
  private stopped: string | null = null;

  constructor(
    readonly generation: number,
    private readonly timeoutMs: number,
    jvmOptions: string[],
    java: string | undefined,
  ) {
    const command = engineCommand(jvmOptions, java);
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-cookingworld-"));
    trackDir(this.dir);
    const req = path.join(this.dir, "requests");
    const ans = path.join(this.dir, "answers");
    execFileSync("mkfifo", ["-m", "600", req, ans]);
    // Read-write opens of a FIFO never block (Linux); ours keep both pipes open whatever the JVM does.
    this.requests = fs.openSync(req, fs.constants.O_RDWR);
    this.answers = fs.openSync(ans, fs.constants.O_RDWR);
    this.shared[2] = Math.floor(Date.now() / 1000);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(WATCHDOG, { eval: true, workerData: { port: port2, shared: this.shared.buffer, command, requests: req, answers: ans }, transferList: [port2] });
    this.worker.unref();
    this.port.unref();
    const deadline = Date.now() + 30_000;
    while (this.pid === undefined && this.dead === null && Date.now() < deadline) {
      const seen = Atomics.load(this.shared, 0);
      if (!this.drain()) Atomics.wait(this.shared, 0, seen, 100);
    }
    if (this.pid === undefined && this.dead === null) this.dead = "the CookingWorld engine's watchdog did not start";
  }

  /** Take the watchdog's messages; true when something arrived. */
  private drain(): boolean {
    let any = false;
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
      any = true;
      const msg = m.message as WatchdogMessage;
      if (msg.type === "started") {
        this.pid = msg.pid;
        trackPid(msg.pid);
      } else if (msg.type === "stderr") this.stderr.push(msg.text);
      else if (msg.type === "error") this.dead = `the CookingWorld engine could not start (${msg.message})`;
    }
    return any;
  }

  /** One request, answered synchronously; a one-line CookingWorldError otherwise. */
  request(fields: Record<string, unknown>, during: string, timeoutMs = this.timeoutMs): Response {
    return this.requestMany([fields], during, timeoutMs)[0];
  }

  /** Several requests written at once (pipelined), answered in order. Fails at the first error. */
  requestMany(all: Record<string, unknown>[], during: string, timeoutMs = this.timeoutMs): Response[] {
    if (this.dead) throw new CookingWorldError(this.dead);
    const ids = all.map(() => this.nextId++);
    Atomics.store(this.shared, 1, Date.now() - this.shared[2] * 1000 + timeoutMs);
    try {
      fs.writeSync(this.requests, all.map((f, i) => JSON.stringify({ id: ids[i], ...f })).join("\n") + "\n");
      const out: Response[] = [];
      let failure: string | null = null;
      for (const id of ids) {
        const r = this.readAnswer(all[0].op, during, timeoutMs);
        if (r.id !== id) throw new CookingWorldError(`the CookingWorld engine answered request ${r.id} where ${id} was due (${during})`);
        if (!r.ok) failure ??= r.error ?? "the CookingWorld engine failed without a message";
        else out.push(r);
      }
      if (failure !== null) throw new CookingWorldError(failure);
      return out;
    } finally {
      Atomics.store(this.shared, 1, 0);
    }
  }

  private readAnswer(op: unknown, during: string, timeoutMs: number): Response {
    for (;;) {
      const nl = this.pending.indexOf("\n");
      if (nl >= 0) {
        const line = this.pending.slice(0, nl);
        this.pending = this.pending.slice(nl + 1);
        if (!line.trim()) continue;
        const r = JSON.parse(line) as Response & { fatal?: { code?: number | null; signal?: string | null; timedOut?: boolean; error?: string } };
        if (r.fatal) throw this.died(r.fatal, String(op), during, timeoutMs);
        // An answer: the JVM has opened both pipes, so their names can go (the open ends stay valid).
        if (PIPE_DIRS.has(this.dir)) removeDir(this.dir);
        return r;
      }
      const n = fs.readSync(this.answers, this.buffer, 0, this.buffer.length, null);
      this.pending += this.buffer.toString("utf8", 0, n);
    }
  }

  private died(f: { code?: number | null; signal?: string | null; timedOut?: boolean; error?: string }, op: string, during: string, timeoutMs: number): CookingWorldError {
    this.drain();
    const message = f.error
      ? `the CookingWorld engine could not start (${f.error})`
      : f.timedOut
        ? `the CookingWorld engine did not answer ${op} for ${during} within ${timeoutMs} ms (engine killed; the next request starts a new one)`
        : this.stopped
          ? `${this.stopped}; lost ${during}`
          : exitMessage(f.code ?? null, f.signal ?? null, during, this.stderr.last());
    this.close(message);
    return new CookingWorldError(message);
  }

  private close(reason: string): void {
    this.dead = this.dead ?? reason;
    untrackPid(this.pid);
    for (const fd of [this.requests, this.answers]) {
      try {
        fs.closeSync(fd);
      } catch {
        // closed already
      }
    }
    removeDir(this.dir);
    void this.worker.terminate();
  }

  /** Close the JVM's input (it exits on EOF) and wait for its exit; SIGKILL after `graceMs`. */
  stop(graceMs = 5000): void {
    if (this.dead) return;
    this.stopped = "the CookingWorld engine was stopped";
    Atomics.store(this.shared, 1, Date.now() - this.shared[2] * 1000 + graceMs);
    fs.closeSync(this.requests); // the JVM's input has no writer left: EOF
    try {
      for (;;) {
        const nl = this.pending.indexOf("\n");
        if (nl >= 0 && this.pending.slice(0, nl).includes('"fatal"')) break;
        if (nl >= 0) {
          this.pending = this.pending.slice(nl + 1);
          continue;
        }
        const n = fs.readSync(this.answers, this.buffer, 0, this.buffer.length, null);
        this.pending += this.buffer.toString("utf8", 0, n);
      }
    } finally {
      untrackPid(this.pid);
      try {
        fs.closeSync(this.answers);
      } catch {
        // closed already
      }
      removeDir(this.dir);
      void this.worker.terminate();
      this.dead = this.stopped;
    }
  }
}

/** The synchronous engine: the same operations as CookingWorldEngine, blocking. */
export class CookingWorldSyncEngine {
  private proc: SyncProcess | null = null;
  private generation = 0;
  private seedsCache: Seeds | null = null;
  private nextHandle = 1;
  private readonly timeoutMs: number;
  private readonly jvmOptions: string[];
  private readonly java: string | undefined;
  starts = 0;

  constructor(opts: EngineOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.jvmOptions = opts.jvmOptions ?? DEFAULT_JVM_OPTIONS;
    this.java = opts.java;
  }

  private process(): SyncProcess {
    if (!this.proc || this.proc.dead) {
      this.generation++;
      this.starts++;
      this.proc = new SyncProcess(this.generation, this.timeoutMs, this.jvmOptions, this.java);
      if (this.proc.dead) throw new CookingWorldError(this.proc.dead);
    }
    return this.proc;
  }

  pid(): number | undefined {
    return this.process().pid;
  }

  call(fields: Record<string, unknown>, during: string, timeoutMs?: number): Response {
    return this.process().request(fields, during, timeoutMs);
  }

  seeds(): Seeds {
    if (!this.seedsCache) {
      const r = this.call({ op: "seeds" }, "the seed lists");
      this.seedsCache = { train: r.train as number[], dev: r.dev as number[], test: r.test as number[] };
    }
    return this.seedsCache;
  }

  env(): CookingWorldSyncEnv {
    return new CookingWorldSyncEnv(this, new EnvRecord(this.nextHandle++));
  }

  gold(task: string, seed: number, fold?: Fold): GoldPath {
    const game = resolveGame(task, seed, this.seeds(), fold);
    return decodeGold(this.call({ op: "gold", ...gameFields(game) }, describeGame(game)), describeGame(game));
  }

  /** CookingWorldEngine.plan, blocking. */
  plan(task: string, seed: number, opts: { prefix?: string[]; maxStates?: number; maxMillis?: number; fold?: Fold } = {}): CookingWorldPlan {
    const game = resolveGame(task, seed, this.seeds(), opts.fold);
    const maxMillis = opts.maxMillis ?? 60_000;
    const r = this.call(
      { op: "plan", ...gameFields(game), prefix: opts.prefix ?? [], maxStates: opts.maxStates ?? 2_000_000, maxMillis },
      `planning ${describeGame(game, opts.prefix?.length ?? 0)}`,
      Math.max(this.timeoutMs, maxMillis * 2 + 30_000),
    );
    return decodePlan(r);
  }

  /** Internal: make sure an env's game lives in the current JVM, replaying it after a restart. */
  ensure(rec: EnvRecord): void {
    const proc = this.process();
    if (rec.generation === proc.generation || !rec.game) return;
    proc.requestMany(rec.replayRequests(), `replaying ${rec.where()} into a restarted engine`);
    rec.generation = proc.generation;
  }

  get currentGeneration(): number {
    return this.proc?.generation ?? -1;
  }

  stop(): void {
    const p = this.proc;
    this.proc = null;
    p?.stop();
  }
}

/** One game, stepped synchronously (the kitchen's shape). */
export class CookingWorldSyncEnv {
  constructor(
    private readonly engine: CookingWorldSyncEngine,
    private readonly rec: EnvRecord,
  ) {}

  reset(task: string, seed: number, opts: { fold?: Fold; key?: boolean } = {}): CookingWorldReset {
    const game = resolveGame(task, seed, this.engine.seeds(), opts.fold);
    const r = this.engine.call(this.rec.resetRequest(game, opts.key ?? false), describeGame(game, 0));
    return this.rec.onReset(game, r, this.engine.currentGeneration);
  }

  step(action: string, opts: { key?: boolean } = {}): CookingWorldState {
    this.rec.requireGame();
    this.engine.ensure(this.rec);
    const r = this.engine.call(this.rec.stepRequest(action, opts.key ?? false), this.rec.where());
    return this.rec.onStep(action, r);
  }

  key(): string {
    this.rec.requireGame();
    this.engine.ensure(this.rec);
    return this.engine.call({ op: "key", env: this.rec.handle }, this.rec.where()).key as string;
  }

  clone(): CookingWorldSyncEnv {
    this.rec.requireGame();
    this.engine.ensure(this.rec);
    const copy = this.engine.env();
    const r = this.engine.call({ op: "clone", env: copy.rec.handle, from: this.rec.handle }, this.rec.where());
    copy.rec.adoptClone(this.rec, r, this.engine.currentGeneration);
    return copy;
  }

  get state(): CookingWorldState | null {
    return this.rec.last;
  }

  get goal(): string {
    return this.rec.goal;
  }

  get actions(): readonly string[] {
    return this.rec.actions;
  }

  get task(): string | null {
    return this.rec.game?.level.task ?? null;
  }

  get seed(): number | null {
    return this.rec.game?.seed ?? null;
  }

  close(): void {
    const gen = this.rec.generation;
    this.rec.game = null;
    if (gen === this.engine.currentGeneration) this.engine.call({ op: "close", env: this.rec.handle }, `closing environment ${this.rec.handle}`);
  }
}
