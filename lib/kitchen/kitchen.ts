/**
 * `Kitchen`: one synchronous Robotouille episode state behind the project's API
 * (observation text, valid actions, step, goal, clone, canonical key). See engine.ts for the rules.
 */
import { InvalidActionError } from "../util/errors";
export { InvalidActionError };
import type { Layout } from "./layout";
import type { EngineState, KitchenModel } from "./model";
import { compileLayout } from "./compile";
import { goalHolds } from "./goal";
import { applyAction, cloneState, cutProgress, initialState, isValidAction, stackOf, stateKey, validActionIds } from "./rules";
import { ITEM_FLAGS } from "./domain";
import { renderObservation } from "./observation";
import { loadLayout } from "./instantiate";


/** A readable view of a state: where everything is (for pictures, planners and tests). */
export interface KitchenSnapshot {
  robot: { name: string; at: string | null; holding: string | null };
  /** Every station in layout order with its stack, bottom → top. */
  stations: { name: string; kind: string; x: number; y: number; stack: string[] }[];
  /** Every item in layout order with its flags (`iscut`, `iscooked`, …) and where it is. */
  items: { name: string; kind: string; flags: string[]; station: string | null; held: boolean; cutCount: number }[];
}

export class Kitchen {
  /** Steps taken since the layout's initial state. */
  steps = 0;
  private ids: Int32Array;
  private nValid = -1;
  private done: boolean | null = null;

  private constructor(
    readonly model: KitchenModel,
    private st: EngineState,
  ) {
    this.ids = new Int32Array(model.nStations + 8);
  }

  /** The initial state of an instantiated layout (throws UserError for a malformed layout). */
  static fromLayout(layout: Layout): Kitchen {
    const model = compileLayout(layout);
    return new Kitchen(model, initialState(model));
  }

  get goalDescription(): string {
    return this.model.goalDescription;
  }

  private refresh(): void {
    if (this.nValid < 0) this.nValid = validActionIds(this.model, this.st, this.ids);
  }

  /** The valid action strings, in the original engine's order ("Do nothing" last). */
  validActions(): string[] {
    this.refresh();
    const out: string[] = new Array(this.nValid);
    for (let k = 0; k < this.nValid; k++) out[k] = this.model.actionStrings[this.ids[k]];
    return out;
  }

  /** The state as Robotouille gives it: its whole observation text, the valid actions, the goal. */
  view(): { observation: string; validActions: string[]; goal: string } {
    return { observation: this.observation(), validActions: this.validActions(), goal: this.goalDescription };
  }

  /** Number of valid actions (no allocation). */
  validActionCount(): number {
    this.refresh();
    return this.nValid;
  }

  /** The k-th valid action string (no allocation). */
  validActionAt(k: number): string {
    this.refresh();
    if (k < 0 || k >= this.nValid) throw new RangeError(`valid action index ${k} out of range`);
    return this.model.actionStrings[this.ids[k]];
  }

  isValid(action: string): boolean {
    const id = this.model.actionIdOf.get(action);
    return id !== undefined && isValidAction(this.model, this.st, id);
  }

  /** The full observation text (notes/kitchen-engine.md): object blocks, `Valid Actions:`, `Goal: …`. */
  observation(): string {
    return renderObservation(this.model, this.st, this.validActions());
  }

  /**
   * Perform an action given as its exact string. Returns whether the goal holds afterwards.
   * An invalid action throws InvalidActionError and leaves the state unchanged.
   */
  step(action: string): { done: boolean } {
    const id = this.model.actionIdOf.get(action);
    if (id === undefined || !isValidAction(this.model, this.st, id)) {
      throw new InvalidActionError(action, this.validActions());
    }
    applyAction(this.model, this.st, id);
    this.steps++;
    this.nValid = -1;
    this.done = goalHolds(this.model, this.st);
    return { done: this.done };
  }

  /** Step by index into validActions() (the hot path of walks and planners). */
  stepIndex(k: number): { done: boolean } {
    this.refresh();
    if (!(k >= 0 && k < this.nValid)) throw new RangeError(`valid action index ${k} out of range`);
    applyAction(this.model, this.st, this.ids[k]);
    this.steps++;
    this.nValid = -1;
    this.done = goalHolds(this.model, this.st);
    return { done: this.done };
  }

  /** Robotouille's episodes end only by reaching the goal: success is done. */
  isSuccess(): boolean {
    return this.isDone();
  }

  /** Does the goal hold in the current state? */
  isDone(): boolean {
    if (this.done === null) this.done = goalHolds(this.model, this.st);
    return this.done;
  }

  /** An independent copy (same model, same step count). */
  clone(): Kitchen {
    const k = new Kitchen(this.model, cloneState(this.st));
    k.steps = this.steps;
    k.done = this.done;
    return k;
  }

  /** The compiled layout, shared by every state and clone of this layout: the scope of `key()`. */
  get origin(): object {
    return this.model;
  }

  /** Canonical key of the state (not of the step count): equal keys ⇔ same future. */
  key(): string {
    return stateKey(this.st);
  }

  /** A readable view of the current state. */
  snapshot(): KitchenSnapshot {
    const m = this.model;
    const s = this.st.s;
    const cuts = cutProgress(m, this.st);
    return {
      robot: {
        name: m.playerName,
        at: s[0] >= 0 ? m.stationNames[s[0]] : null,
        holding: s[1] >= 0 ? m.itemNames[s[1]] : null,
      },
      stations: m.stationNames.map((name, k) => ({
        name,
        kind: m.stationKinds[k],
        x: m.layout.stations[k].x,
        y: m.layout.stations[k].y,
        stack: stackOf(m, s, k).map((i) => m.itemNames[i]),
      })),
      items: m.itemNames.map((name, i) => ({
        name,
        kind: m.itemKinds[i],
        flags: ITEM_FLAGS.filter((_, bit) => (s[m.oFlags + i] & (1 << bit)) !== 0),
        station: s[m.oAt + i] >= 0 ? m.stationNames[s[m.oAt + i]] : null,
        held: s[1] === i,
        cutCount: cuts.get(name) ?? 0,
      })),
    };
  }

  /** The engine state, for code that works on the compact representation (read-only by convention). */
  get engineState(): EngineState {
    return this.st;
  }
}

/** The kitchen of a task's default layout (seed null/undefined) or its procedural layout for `seed`. */
export function makeKitchen(task: string, seed?: number | null): Kitchen {
  return Kitchen.fromLayout(loadLayout(task, seed));
}
