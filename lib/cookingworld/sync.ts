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
 * How: Node cannot wait for a pipe synchronously, so a worker thread owns the JVM and relays lines; the
 * main thread posts a request and sleeps in Atomics.wait (with the request's time limit) until the worker
 * signals an answer, which it then takes with receiveMessageOnPort. The worker is eval'd JavaScript, so
 * this works the same under tsx, ava and tslab. A dead JVM or a time-out is a CookingWorldError naming
 * the game, seed and step; the next call starts a new JVM and replays the environments it held.
 */
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from "node:worker_threads";
import { Fold } from "./levels";
import {
  CookingWorldError,
  CookingWorldReset,
  CookingWorldState,
  DEFAULT_JVM_OPTIONS,
  EnvRecord,
  GoldPath,
  Response,
  Seeds,
  Tail,
  decodeGold,
  describeGame,
  engineCommand,
  exitMessage,
  gameFields,
  resolveGame,
  trackPid,
  untrackPid,
} from "./protocol";
import type { EngineOptions } from "./engine";

/** The relay: spawn the JVM, write what the main thread posts, post back every line and the exit. */
const RELAY = `
const { workerData } = require("node:worker_threads");
const { spawn } = require("node:child_process");
const port = workerData.port;
const signal = new Int32Array(workerData.signal);
const post = (m) => { port.postMessage(m); Atomics.add(signal, 0, 1); Atomics.notify(signal, 0); };
const cmd = workerData.command;
const child = spawn(cmd.command, cmd.args, { cwd: cmd.cwd, stdio: ["pipe", "pipe", "pipe"] });
let buf = "";
child.stdout.setEncoding("utf8");
child.stdout.on("data", (c) => {
  buf += c;
  let nl;
  const lines = [];
  while ((nl = buf.indexOf("\\n")) >= 0) { lines.push(buf.slice(0, nl)); buf = buf.slice(nl + 1); }
  if (lines.length) post({ type: "lines", lines });
});
child.stderr.setEncoding("utf8");
child.stderr.on("data", (c) => post({ type: "stderr", text: c }));
child.stdin.on("error", () => {});
child.on("error", (e) => post({ type: "error", message: e.message }));
child.on("exit", (code, sig) => post({ type: "exit", code, signal: sig }));
port.on("message", (m) => {
  if (m.type === "send") child.stdin.write(m.data);
  else if (m.type === "kill") child.kill("SIGKILL");
  else if (m.type === "end") child.stdin.end();
});
post({ type: "started", pid: child.pid });
`;

type RelayMessage =
  | { type: "started"; pid: number }
  | { type: "lines"; lines: string[] }
  | { type: "stderr"; text: string }
  | { type: "error"; message: string }
  | { type: "exit"; code: number | null; signal: string | null };

/** One JVM behind a relay worker, called synchronously. */
class SyncProcess {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private seen = 0;
  private readonly lines: string[] = [];
  private readonly stderr = new Tail();
  private nextId = 1;
  pid: number | undefined;
  dead: string | null = null;

  constructor(
    readonly generation: number,
    private readonly timeoutMs: number,
    jvmOptions: string[],
    java: string | undefined,
  ) {
    const command = engineCommand(jvmOptions, java);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(RELAY, { eval: true, workerData: { port: port2, signal: this.signal.buffer, command }, transferList: [port2] });
    this.worker.unref();
    this.port.unref();
    this.waitFor(() => this.pid !== undefined || this.dead !== null, 30_000, "starting the engine");
  }

  /** Drain the relay's messages; true when something arrived. */
  private drain(): boolean {
    let any = false;
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
      any = true;
      const msg = m.message as RelayMessage;
      if (msg.type === "started") {
        this.pid = msg.pid;
        trackPid(msg.pid);
      } else if (msg.type === "lines") this.lines.push(...msg.lines);
      else if (msg.type === "stderr") this.stderr.push(msg.text);
      else if (msg.type === "error") this.finish(`the CookingWorld engine could not start (${msg.message})`);
      else if (msg.type === "exit") this.finish(null, msg.code, msg.signal);
    }
    return any;
  }

  private exitInfo: { code: number | null; signal: string | null } | null = null;
  private stopped: string | null = null;

  private finish(message: string | null, code: number | null = null, signal: string | null = null): void {
    this.exitInfo = { code, signal };
    this.dead = message ?? this.stopped ?? exitMessage(code, signal, "its work", this.stderr.last());
    untrackPid(this.pid);
    void this.worker.terminate();
  }

  /** Block until `done()` or the deadline; false on time-out. */
  private waitFor(done: () => boolean, timeoutMs: number, _during: string): boolean {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.drain();
      if (done()) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      const now = Atomics.load(this.signal, 0);
      if (now === this.seen) Atomics.wait(this.signal, 0, now, Math.min(left, 1000));
      this.seen = Atomics.load(this.signal, 0);
    }
  }

  /** One request, answered synchronously; a one-line CookingWorldError otherwise. */
  request(fields: Record<string, unknown>, during: string, timeoutMs = this.timeoutMs): Response {
    return this.requestMany([fields], during, timeoutMs)[0];
  }

  /** Several requests written at once (pipelined), answered in order. Fails at the first error. */
  requestMany(all: Record<string, unknown>[], during: string, timeoutMs = this.timeoutMs): Response[] {
    if (this.dead) throw new CookingWorldError(this.dead);
    const ids = all.map(() => this.nextId++);
    this.port.postMessage({ type: "send", data: all.map((f, i) => JSON.stringify({ id: ids[i], ...f })).join("\n") + "\n" });
    const out: Response[] = [];
    for (const id of ids) {
      const ok = this.waitFor(() => this.lines.length > 0 || this.dead !== null, timeoutMs, during);
      if (!ok) {
        this.kill(`a request timed out (${String(all[0].op)} for ${during})`);
        throw new CookingWorldError(`the CookingWorld engine did not answer ${String(all[0].op)} for ${during} within ${timeoutMs} ms (engine killed; the next request starts a new one)`);
      }
      if (this.lines.length === 0) {
        const e = this.exitInfo;
        throw new CookingWorldError(this.stopped ? `${this.stopped}; lost ${during}` : e ? exitMessage(e.code, e.signal, during, this.stderr.last()) : (this.dead ?? "the CookingWorld engine is gone"));
      }
      const line = this.lines.shift()!;
      let r: Response;
      try {
        r = JSON.parse(line) as Response;
      } catch {
        this.kill(`it wrote a line that is not JSON: ${line.slice(0, 200)}`);
        throw new CookingWorldError(`the CookingWorld engine wrote a line that is not JSON during ${during}`);
      }
      if (r.id !== id) throw new CookingWorldError(`the CookingWorld engine answered request ${r.id} where ${id} was due (${during})`);
      if (!r.ok) {
        // Skip the answers to the rest of the batch, so that the next request reads its own.
        for (let k = ids.indexOf(id) + 1; k < ids.length; k++) {
          this.waitFor(() => this.lines.length > 0 || this.dead !== null, timeoutMs, during);
          this.lines.shift();
        }
        throw new CookingWorldError(r.error ?? "the CookingWorld engine failed without a message");
      }
      out.push(r);
    }
    return out;
  }

  kill(reason: string): void {
    if (!this.dead) this.stopped = `the CookingWorld engine was stopped: ${reason}`;
    this.dead = this.dead ?? this.stopped;
    if (this.pid !== undefined) {
      try {
        process.kill(this.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    untrackPid(this.pid);
    void this.worker.terminate();
  }

  /** Close the JVM's stdin (it exits on EOF) and wait for it; SIGKILL after `graceMs`. */
  stop(graceMs = 5000): void {
    if (this.dead) return;
    this.stopped = "the CookingWorld engine was stopped";
    this.port.postMessage({ type: "end" });
    if (!this.waitFor(() => this.exitInfo !== null, graceMs, "stopping")) this.kill("it did not exit when its input closed");
    this.dead = this.dead ?? this.stopped;
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

  close(): void {
    const gen = this.rec.generation;
    this.rec.game = null;
    if (gen === this.engine.currentGeneration) this.engine.call({ op: "close", env: this.rec.handle }, `closing environment ${this.rec.handle}`);
  }
}
