/**
 * The asynchronous CookingWorld client: one long-lived JVM (lib/cookingworld/jvm/Server.java) that holds
 * any number of environments, driven over JSON lines on its stdin/stdout.
 *
 *   const engine = new CookingWorldEngine();
 *   const env = engine.env();
 *   const s0 = await env.reset("cookingworld-2", 20000, { fold: "test" });   // s0.goal, s0.validActions
 *   const s1 = await env.step(s0.validActions[0]);                          // s1.success, s1.done
 *   const gold = await engine.gold("cookingworld-2", 20000);
 *   await engine.stop();
 *
 * Requests from many environments are pipelined (written without waiting; the JVM answers in order and
 * flushes when it has nothing left to read), which is what makes many concurrent episodes cheap. The JVM
 * starts on the first request. If it dies (a crash, a kill, a request past its time limit), every
 * request in flight fails with a one-line CookingWorldError naming its game, seed and step; the next
 * request starts a new JVM, and an environment that lived in the dead one is rebuilt there first by
 * replaying its actions from its seed (games are deterministic), so a caller may simply retry. The JVM
 * never outlives this process: it is killed on exit, and it exits by itself when its stdin closes.
 */
import { ChildProcess, spawn } from "node:child_process";
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

export interface EngineOptions {
  /** Time limit of one request in ms (default 60 000; JVM start-up counts against the first). */
  timeoutMs?: number;
  jvmOptions?: string[];
  /** The java executable (default $STGRPO_JAVA or `java` on PATH). */
  java?: string;
}

interface Pending {
  resolve: (r: Response) => void;
  reject: (e: Error) => void;
  during: string;
  op: string;
  /** Date.now() past which the request has failed (Infinity: none). */
  deadline: number;
  timeoutMs: number;
}

/** How often requests are checked against their deadlines (one timer per JVM, not one per request). */
const DEADLINE_CHECK_MS = 25;

/** One JVM process and the requests in flight on it. */
class EngineProcess {
  readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private buffer = "";
  private outbox: string[] = [];
  private readonly stderr = new Tail();
  private readonly deadlines: NodeJS.Timeout;
  dead: string | null = null;

  constructor(
    readonly generation: number,
    private readonly opts: Required<Pick<EngineOptions, "timeoutMs" | "jvmOptions">> & { java?: string },
    private readonly onDeath: (p: EngineProcess) => void,
  ) {
    const cmd = engineCommand(opts.jvmOptions, opts.java);
    this.child = spawn(cmd.command, cmd.args, { cwd: cmd.cwd, stdio: ["pipe", "pipe", "pipe"] });
    trackPid(this.child.pid);
    this.child.stdout!.setEncoding("utf8");
    this.child.stdout!.on("data", (chunk: string) => this.onData(chunk));
    this.child.stderr!.setEncoding("utf8");
    this.child.stderr!.on("data", (chunk: string) => this.stderr.push(chunk));
    this.child.stdin!.on("error", () => undefined); // EPIPE after a crash: reported by the exit handler
    this.child.on("error", (e) => this.die(`the CookingWorld engine could not start (${opts.java ?? "java"}: ${e.message})`));
    this.child.on("exit", (code, signal) => this.die(null, code, signal));
    this.deadlines = setInterval(() => this.checkDeadlines(), DEADLINE_CHECK_MS);
    this.deadlines.unref();
    this.idle();
  }

  /** Send a request; resolves with the response, rejects with a one-line error. */
  request(fields: Record<string, unknown>, during: string, timeoutMs = this.opts.timeoutMs): Promise<Response> {
    if (this.dead) return Promise.reject(new CookingWorldError(this.dead));
    const id = this.nextId++;
    const line = JSON.stringify({ id, ...fields });
    return new Promise<Response>((resolve, reject) => {
      const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
      this.pending.set(id, { resolve, reject, during, op: String(fields.op), deadline, timeoutMs });
      if (this.pending.size === 1) this.busy();
      this.outbox.push(line);
      if (this.outbox.length === 1) queueMicrotask(() => this.flush());
    });
  }

  /** Fail the requests past their deadline and kill the JVM (it may be stuck in a search). */
  private checkDeadlines(): void {
    const now = Date.now();
    for (const [id, p] of this.pending) {
      if (p.deadline > now) continue;
      this.pending.delete(id);
      p.reject(new CookingWorldError(`the CookingWorld engine did not answer ${p.op} for ${p.during} within ${p.timeoutMs} ms (engine killed; the next request starts a new one)`));
      this.kill(`a request timed out (${p.op} for ${p.during})`);
      return;
    }
  }

  private flush(): void {
    if (this.outbox.length === 0 || this.dead) return;
    const data = this.outbox.join("\n") + "\n";
    this.outbox = [];
    this.child.stdin!.write(data);
  }

  private onData(chunk: string): void {
    const data = this.buffer + chunk;
    let start = 0;
    let nl: number;
    // Walk the lines by index and keep only the unfinished tail (a burst of answers is one chunk).
    for (; (nl = data.indexOf("\n", start)) >= 0; start = nl + 1) {
      const line = data.slice(start, nl);
      if (!line.trim()) continue;
      let r: Response;
      try {
        r = JSON.parse(line) as Response;
      } catch {
        this.kill(`it wrote a line that is not JSON: ${line.slice(0, 200)}`);
        return;
      }
      const p = this.pending.get(r.id);
      if (!p) continue; // answered after its timeout
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r);
      else p.reject(new CookingWorldError(r.error ?? "the CookingWorld engine failed without a message"));
      if (this.pending.size === 0) this.idle();
    }
    this.buffer = data.slice(start);
  }

  /** No request in flight: let Node exit even if nobody stops the engine (the exit hook kills it). */
  private idle(): void {
    this.child.unref();
    (this.child.stdout as unknown as { unref?: () => void }).unref?.();
    (this.child.stderr as unknown as { unref?: () => void }).unref?.();
    (this.child.stdin as unknown as { unref?: () => void }).unref?.();
  }

  private busy(): void {
    this.child.ref();
    (this.child.stdout as unknown as { ref?: () => void }).ref?.();
  }

  kill(reason: string): void {
    if (!this.dead) this.dead = `the CookingWorld engine was stopped: ${reason}`;
    this.child.kill("SIGKILL");
  }

  private finished = false;

  /** The process is gone (exit, or could not start): fail what is in flight, once. */
  private die(message: string | null, code: number | null = null, signal: NodeJS.Signals | null = null): void {
    if (this.finished) return;
    this.finished = true;
    const stopped = this.dead; // set by kill()/stop() before the process went
    this.dead = message ?? stopped ?? exitMessage(code, signal, "its work", this.stderr.last());
    untrackPid(this.child.pid);
    clearInterval(this.deadlines);
    for (const [, p] of this.pending) {
      const text = message ?? (stopped ? `${stopped}; lost ${p.during}` : exitMessage(code, signal, p.during, this.stderr.last()));
      p.reject(new CookingWorldError(text));
    }
    this.pending.clear();
    this.onDeath(this);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Close stdin (the JVM exits on EOF) and wait; SIGKILL after `graceMs`. */
  stop(graceMs = 5000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
      this.child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      if (!this.dead) this.dead = "the CookingWorld engine was stopped";
      this.child.ref();
      this.child.stdin!.end();
    });
  }
}

export interface SearchOptions {
  /** Actions taken from the seed's start before searching (the search starts where they lead). */
  prefix?: string[];
  /** An action sequence from the search's start (the rest of the gold path) to report optimal actions along. */
  follow?: string[];
  maxStates?: number;
  maxMillis?: number;
  /** "astar" (default: the consistent lower bound of Heuristic.java) or "bfs" (h = 0, the reference). */
  method?: "astar" | "bfs";
}

/** The engine's answer to a search (Search.java). */
export interface SearchResponse {
  /** Length of a shortest successful path from the start, −1 when none was found within the limits. */
  length: number;
  exhausted: boolean;
  stopReason?: string;
  /** Distinct states (by engine state key) reached, and expanded. */
  states: number;
  expanded: number;
  /** States reached where the game is lost (not expanded). */
  failures: number;
  /** States first reached at each depth. */
  layers: number[];
  /** Revisits of a key whose shown state (score, success, failure, valid-action set) differed: must be 0. */
  keyConflicts: number;
  /** States whose look + inventory text is also shown by a state with a different key. */
  textAliases: number;
  /** Generated edges where the heuristic dropped by more than one (must be 0: it is consistent). */
  inconsistent: number;
  /** Expanded states where two visible objects shared a name (then only the first is reachable by string). */
  duplicateNames: number;
  path?: string[];
  /** Optimal actions at each state of `follow` while it stays on a shortest path (sorted). */
  optimal?: string[][];
  followStop?: "success" | "end" | "left";
  engineSteps: number;
  millis: number;
}

/** The asynchronous engine: envs, gold paths, seed lists and exact search over one JVM. */
export class CookingWorldEngine {
  private proc: EngineProcess | null = null;
  private generation = 0;
  private seedsCache: Seeds | null = null;
  private nextHandle = 1;
  private readonly opts: Required<Pick<EngineOptions, "timeoutMs" | "jvmOptions">> & { java?: string };
  /** How many JVMs were started (restarts show here). */
  starts = 0;

  constructor(opts: EngineOptions = {}) {
    this.opts = { timeoutMs: opts.timeoutMs ?? 60_000, jvmOptions: opts.jvmOptions ?? DEFAULT_JVM_OPTIONS, java: opts.java };
  }

  private process(): EngineProcess {
    if (!this.proc || this.proc.dead) {
      this.generation++;
      this.starts++;
      this.proc = new EngineProcess(this.generation, this.opts, (p) => {
        if (this.proc === p) this.proc = null;
      });
    }
    return this.proc;
  }

  /** The current JVM's pid (starting it if needed): for tests that kill it. */
  pid(): number | undefined {
    return this.process().pid;
  }

  /** Send one request (fields without `id`); `during` names the game for error messages. */
  call(fields: Record<string, unknown>, during: string, timeoutMs?: number): Promise<Response> {
    return this.process().request(fields, during, timeoutMs);
  }

  /** The engine's train/dev/test seeds (`getValidSeedsTrain/Dev/Test`), asked once. */
  async seeds(): Promise<Seeds> {
    if (!this.seedsCache) {
      const r = await this.call({ op: "seeds" }, "the seed lists");
      this.seedsCache = { train: r.train as number[], dev: r.dev as number[], test: r.test as number[] };
    }
    return this.seedsCache;
  }

  /** A new environment (no engine work until its reset). */
  env(): CookingWorldEnv {
    return new CookingWorldEnv(this, new EnvRecord(this.nextHandle++));
  }

  /** The game's gold path (`getGoldActionSequence`; `actions` is the playable one, see GoldPath). */
  async gold(task: string, seed: number, fold?: Fold): Promise<GoldPath> {
    const game = resolveGame(task, seed, await this.seeds(), fold);
    return decodeGold(await this.call({ op: "gold", ...gameFields(game) }, describeGame(game)), describeGame(game));
  }

  /** Exact breadth-first search (lib/cookingworld/search.ts builds the measurements on it). */
  async search(task: string, seed: number, opts: SearchOptions = {}): Promise<SearchResponse> {
    const game = resolveGame(task, seed, await this.seeds());
    const maxMillis = opts.maxMillis ?? 60_000;
    const r = await this.call(
      { op: "search", ...gameFields(game), prefix: opts.prefix ?? [], follow: opts.follow ?? [], method: opts.method ?? "astar", maxStates: opts.maxStates ?? 2_000_000, maxMillis },
      `a search of ${describeGame(game, opts.prefix?.length ?? 0)}`,
      Math.max(this.opts.timeoutMs, maxMillis * 2 + 30_000),
    );
    const { id: _id, ok: _ok, ...rest } = r;
    return rest as unknown as SearchResponse;
  }

  /**
   * The canonical shortest successful path of a game: exact A*, then from the start the first action in
   * the engine's valid-action order that keeps the shortest remaining length, at every state. An error
   * when the search does not finish within its limits.
   */
  async plan(task: string, seed: number, opts: Pick<SearchOptions, "prefix" | "maxStates" | "maxMillis"> & { fold?: Fold } = {}): Promise<CookingWorldPlan> {
    const game = resolveGame(task, seed, await this.seeds(), opts.fold);
    const maxMillis = opts.maxMillis ?? 60_000;
    const r = await this.call(
      { op: "plan", ...gameFields(game), prefix: opts.prefix ?? [], maxStates: opts.maxStates ?? 2_000_000, maxMillis },
      `planning ${describeGame(game, opts.prefix?.length ?? 0)}`,
      Math.max(this.opts.timeoutMs, maxMillis * 2 + 30_000),
    );
    return decodePlan(r);
  }

  /** Internal: does this env's game live in another JVM than the current one (which must replay it)? */
  stale(rec: EnvRecord): boolean {
    return rec.game !== null && rec.generation !== this.process().generation;
  }

  /** Internal: rebuild an env's game in the current JVM by replaying its actions (after a restart). */
  async ensure(rec: EnvRecord): Promise<void> {
    const proc = this.process();
    if (rec.generation === proc.generation || !rec.game) return;
    const reqs = rec.replayRequests();
    const during = `replaying ${rec.where()} into a restarted engine`;
    await Promise.all(reqs.map((q) => proc.request(q, during)));
    rec.generation = proc.generation;
  }

  get currentGeneration(): number {
    return this.proc?.generation ?? -1;
  }

  /** Stop the JVM (it is started again by the next request). */
  async stop(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (p) await p.stop();
  }
}

/** One game in the engine. Steps of one env must be awaited in order (they are pipelined otherwise). */
export class CookingWorldEnv {
  constructor(
    private readonly engine: CookingWorldEngine,
    private readonly rec: EnvRecord,
  ) {}

  /** Start the game of `task` and `seed`; `fold`, when given, must hold the seed. */
  async reset(task: string, seed: number, opts: { fold?: Fold; key?: boolean } = {}): Promise<CookingWorldReset> {
    const game = resolveGame(task, seed, await this.engine.seeds(), opts.fold);
    const r = await this.engine.call(this.rec.resetRequest(game, opts.key ?? false), describeGame(game, 0));
    return this.rec.onReset(game, r, this.engine.currentGeneration);
  }

  /** Take a valid action (an invalid one is a CookingWorldError; the state is unchanged). */
  async step(action: string, opts: { key?: boolean } = {}): Promise<CookingWorldState> {
    this.rec.requireGame();
    if (this.engine.stale(this.rec)) await this.engine.ensure(this.rec);
    const r = await this.engine.call(this.rec.stepRequest(action, opts.key ?? false), this.rec.where());
    return this.rec.onStep(action, r);
  }

  /** The engine's state key of the current state (equal keys: same future; see GameState.java). */
  async key(): Promise<string> {
    this.rec.requireGame();
    await this.engine.ensure(this.rec);
    const r = await this.engine.call({ op: "key", env: this.rec.handle }, this.rec.where());
    return r.key as string;
  }

  /** An independent environment in the same state (same observation, valid-action order and future). */
  async clone(): Promise<CookingWorldEnv> {
    this.rec.requireGame();
    await this.engine.ensure(this.rec);
    const copy = this.engine.env();
    const r = await this.engine.call({ op: "clone", env: copy.rec.handle, from: this.rec.handle }, this.rec.where());
    copy.rec.adoptClone(this.rec, r, this.engine.currentGeneration);
    return copy;
  }

  /** The last state returned by reset or step (null before reset). */
  get state(): CookingWorldState | null {
    return this.rec.last;
  }

  get goal(): string {
    return this.rec.goal;
  }

  get task(): string | null {
    return this.rec.game?.level.task ?? null;
  }

  get seed(): number | null {
    return this.rec.game?.seed ?? null;
  }

  /** Actions taken since reset. */
  get actions(): readonly string[] {
    return this.rec.actions;
  }

  /** Free the game in the engine. */
  async close(): Promise<void> {
    const gen = this.rec.generation;
    this.rec.game = null;
    if (gen === this.engine.currentGeneration) await this.engine.call({ op: "close", env: this.rec.handle }, `closing environment ${this.rec.handle}`);
  }
}
