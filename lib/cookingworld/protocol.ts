/**
 * What the asynchronous and the synchronous clients share: how to start the engine process (the JVM main
 * in lib/cookingworld/jvm, compiled by scripts/setup.sh), the request and result shapes of its JSON-lines
 * protocol (notes/cookingworld.md), the fold of a seed, and one environment's bookkeeping (its actions
 * since reset, so that it can be replayed into a restarted engine).
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "../util/errors";
import { REPO_ROOT } from "../util/profile";
import { CookingWorldLevel, Fold, FOLDS, paramString, resolveLevel } from "./levels";

/** Any failure of the engine or of a request to it, as one line (the CLI prints it and exits 1). */
export class CookingWorldError extends UserError {
  constructor(message: string) {
    super(message);
    this.name = "CookingWorldError";
  }
}

export const BUILD_DIR = path.join(REPO_ROOT, "build", "cookingworld");

export interface EngineCommand {
  command: string;
  args: string[];
  /** The package directory: the engine reads its data files (cooking_world.json, …) from the cwd. */
  cwd: string;
}

/**
 * JVM options besides `--add-opens java.base/java.util` (always given: GameState.java restores the state
 * of java.util.Random): the serial collector, since the engine is single-threaded and the machines small.
 * The heap is the JVM's default (a quarter of the memory): the largest searches measured (1.1 M states,
 * notes/cookingworld.md) ran within the 6 GB that gives on a 24 GB machine.
 */
export const DEFAULT_JVM_OPTIONS = ["-XX:+UseSerialGC"];

export function engineCommand(jvmOptions: string[] = DEFAULT_JVM_OPTIONS, java = process.env.STGRPO_JAVA ?? "java"): EngineCommand {
  const jarFile = path.join(BUILD_DIR, "jar-path.txt");
  const classes = path.join(BUILD_DIR, "classes");
  if (!fs.existsSync(jarFile) || !fs.existsSync(classes)) {
    throw new CookingWorldError("the CookingWorld engine is not built (run scripts/setup.sh, or make setup)");
  }
  // Java sources changed since the last build would silently run old classes: refuse instead.
  const stale = staleSources();
  if (stale.length) throw new CookingWorldError(`the CookingWorld engine was built from other sources than ${stale.join(", ")} (run scripts/setup.sh, or make setup)`);
  const jar = fs.readFileSync(jarFile, "utf8").trim();
  if (!fs.existsSync(jar)) throw new CookingWorldError(`the textworld-express jar is gone (${jar}); run scripts/setup.sh again`);
  return {
    command: java,
    args: ["--add-opens", "java.base/java.util=ALL-UNNAMED", ...jvmOptions, "-cp", `${jar}${path.delimiter}${classes}`, "stgrpo.cookingworld.Server"],
    cwd: path.dirname(jar),
  };
}

/** The Java sources whose content differs from what scripts/setup.sh compiled (its sources.sha256). */
function staleSources(): string[] {
  const dir = path.join(REPO_ROOT, "lib", "cookingworld", "jvm");
  const listFile = path.join(BUILD_DIR, "sources.sha256");
  const built = new Map<string, string>();
  if (fs.existsSync(listFile)) {
    for (const line of fs.readFileSync(listFile, "utf8").split("\n")) {
      const m = /^([0-9a-f]{64})\s+\*?(.+)$/.exec(line.trim());
      if (m) built.set(path.basename(m[2]), m[1]);
    }
  }
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".java"))
    .filter((f) => built.get(f) !== crypto.createHash("sha256").update(fs.readFileSync(path.join(dir, f))).digest("hex"));
}

/** One state of a game as the engine reports it (its StepResult, plus the step count). */
export interface CookingWorldState {
  /** The last action's message (after reset: the room description, as the Python API's reset). */
  observation: string;
  /** The current room's description ("look around" without taking a step). */
  look: string;
  /** The inventory text ("inventory" without taking a step). */
  inventory: string;
  /** The valid actions, in the engine's (seeded, shuffled) order. */
  validActions: string[];
  /** Normalised score in [0, 1] and the raw score. */
  score: number;
  scoreRaw: number;
  /** The engine's taskSuccess (the meal was eaten) and taskFailure (an ingredient lost or spoiled). */
  success: boolean;
  failure: boolean;
  /** success || failure: the engine's own end of the game (`PythonInterface.getCompleted`). */
  done: boolean;
  /** Actions taken since reset. */
  steps: number;
  /** The engine-side state key (GameState.java), when asked for. */
  key?: string;
}

export interface CookingWorldReset extends CookingWorldState {
  /** The task description (the Python API's `getTaskDescription`). */
  goal: string;
}

export type Seeds = Record<Fold, number[]>;

/** A game's gold path (the engine's `getGoldActionSequence`), and what of it can be played. */
export interface GoldPath {
  /** The playable gold path: `raw` without the actions that are invalid where the engine's gold agent issued them. */
  actions: string[];
  /** The engine's sequence as it gives it. */
  raw: string[];
  /** Indices into `raw` of the actions dropped (invalid there, hence no-ops for the engine). */
  skipped: number[];
}

/** A canonical shortest path (Search.plan): at each state the first optimal action in the engine's order. */
export interface CookingWorldPlan {
  length: number;
  actions: string[];
  /** The actions that keep the shortest remaining length at each state of the plan (sorted). */
  optimal: string[][];
  /** States the search reached, and its time. */
  states: number;
  millis: number;
}

export function decodePlan(r: Response): CookingWorldPlan {
  return { length: r.length as number, actions: r.actions as string[], optimal: r.optimal as string[][], states: r.states as number, millis: r.millis as number };
}

/** Decode a gold answer; a gold path that does not end in success is an error naming the game. */
export function decodeGold(r: Response, where: string): GoldPath {
  if (r.success !== true) throw new CookingWorldError(`the engine's gold path for ${where} does not end in success`);
  return { actions: r.actions as string[], raw: r.raw as string[], skipped: r.skipped as number[] };
}

/** A level, seed and fold checked against the engine's seed lists. */
export interface Game {
  level: CookingWorldLevel;
  seed: number;
  fold: Fold;
}

export function describeGame(g: { level: CookingWorldLevel; seed: number }, steps?: number): string {
  return `${g.level.task} seed ${g.seed}${steps === undefined ? "" : ` (step ${steps})`}`;
}

/**
 * Resolve a game: the level must be known, the seed an integer in one of the engine's folds, and in
 * `fold` when given (an evaluation asks for test seeds, expert data for train seeds).
 */
export function resolveGame(task: string, seed: number, seeds: Seeds, fold?: Fold): Game {
  const level = resolveLevel(task);
  if (!Number.isInteger(seed)) throw new CookingWorldError(`${task}: seed must be an integer, got ${seed}`);
  if (fold !== undefined && !FOLDS.includes(fold)) throw new CookingWorldError(`unknown fold "${fold}" (expected one of ${FOLDS.join(", ")})`);
  const own = FOLDS.find((f) => seeds[f].includes(seed));
  if (fold !== undefined && own !== fold) {
    throw new CookingWorldError(`seed ${seed} is not a ${fold} seed of ${task} (the engine's ${fold} seeds are ${span(seeds[fold])})`);
  }
  if (own === undefined) {
    throw new CookingWorldError(`seed ${seed} is in none of ${task}'s folds (${FOLDS.map((f) => `${f} ${span(seeds[f])}`).join(", ")})`);
  }
  return { level, seed, fold: own };
}

function span(xs: number[]): string {
  if (xs.length === 0) return "none";
  const contiguous = xs.every((x, i) => i === 0 || x === xs[i - 1] + 1);
  return contiguous ? `${xs[0]}–${xs[xs.length - 1]}` : `${xs.length} seeds`;
}

export function gameFields(g: Game): Record<string, unknown> {
  return { task: g.level.task, params: paramString(g.level.params), seed: g.seed, fold: g.fold };
}

/** A raw engine response line, decoded. */
export interface Response {
  id: number;
  ok: boolean;
  error?: string;
  [field: string]: unknown;
}

export function decodeState(r: Response): CookingWorldState {
  const s: CookingWorldState = {
    observation: r.observation as string,
    look: r.look as string,
    inventory: r.inventory as string,
    validActions: r.validActions as string[],
    score: r.score as number,
    scoreRaw: r.scoreRaw as number,
    success: r.success as boolean,
    failure: r.failure as boolean,
    done: (r.success as boolean) || (r.failure as boolean),
    steps: r.steps as number,
  };
  if (typeof r.key === "string") s.key = r.key;
  return s;
}

/**
 * One environment's bookkeeping, independent of how requests travel: the game it plays, the actions
 * since reset (to replay it into a restarted engine: games are deterministic given the seed) and which
 * engine process holds it.
 */
export class EnvRecord {
  game: Game | null = null;
  actions: string[] = [];
  /** The engine process generation that holds this env's game (−1: none). */
  generation = -1;
  last: CookingWorldState | null = null;
  goal = "";

  constructor(readonly handle: number) {}

  where(): string {
    return this.game ? describeGame(this.game, this.actions.length) : `environment ${this.handle} (not reset)`;
  }

  resetRequest(game: Game, withKey: boolean): Record<string, unknown> {
    return { op: "reset", env: this.handle, ...gameFields(game), key: withKey };
  }

  stepRequest(action: string, withKey: boolean): Record<string, unknown> {
    return { op: "step", env: this.handle, action, key: withKey };
  }

  /** The requests that rebuild this env's game in a fresh engine (reset, then every action). */
  replayRequests(): Record<string, unknown>[] {
    if (!this.game) return [];
    return [this.resetRequest(this.game, false), ...this.actions.map((a) => this.stepRequest(a, false))];
  }

  onReset(game: Game, r: Response, generation: number): CookingWorldReset {
    this.game = game;
    this.actions = [];
    this.generation = generation;
    this.goal = r.goal as string;
    const s = decodeState(r);
    this.last = s;
    return { ...s, goal: this.goal };
  }

  onStep(action: string, r: Response): CookingWorldState {
    this.actions.push(action);
    this.last = decodeState(r);
    return this.last;
  }

  /** Become a clone of `source`, from the engine's answer to the clone request. */
  adoptClone(source: EnvRecord, r: Response, generation: number): void {
    this.game = source.game;
    this.actions = [...source.actions];
    this.generation = generation;
    this.goal = source.goal;
    this.last = decodeState(r);
  }

  requireGame(): Game {
    if (!this.game) throw new CookingWorldError(`environment ${this.handle} was not reset`);
    return this.game;
  }
}

/** Keep the last lines of a stream (the engine's stderr), for a dead engine's one-line message. */
export class Tail {
  private lines: string[] = [];
  private partial = "";
  constructor(private readonly max = 20) {}
  push(chunk: string): void {
    const parts = (this.partial + chunk).split("\n");
    this.partial = parts.pop() ?? "";
    for (const l of parts) if (l.trim()) this.lines.push(l.trim());
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
  }
  last(): string {
    const all = this.partial.trim() ? [...this.lines, this.partial.trim()] : this.lines;
    const err = [...all].reverse().find((l) => /error|exception/i.test(l));
    return err ?? all[all.length - 1] ?? "";
  }
}

export function exitMessage(code: number | null, signal: string | null, during: string, stderr: string): string {
  const how = signal ? `was killed (${signal})` : `exited (code ${code})`;
  return `the CookingWorld engine ${how} during ${during}${stderr ? `: ${stderr}` : ""}`;
}

/** Every engine process this Node process started, killed when it exits (they also exit on stdin EOF). */
const LIVE = new Set<number>();
let exitHookInstalled = false;

export function trackPid(pid: number | undefined): void {
  if (pid === undefined) return;
  LIVE.add(pid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const p of LIVE) {
        try {
          process.kill(p, "SIGKILL");
        } catch {
          // already gone
        }
      }
    });
  }
}

export function untrackPid(pid: number | undefined): void {
  if (pid !== undefined) LIVE.delete(pid);
}
