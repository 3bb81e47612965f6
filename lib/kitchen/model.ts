/**
 * The synchronous Robotouille engine's data: a compiled layout (`KitchenModel`, immutable, shared by every
 * state of its layout) and a state (`EngineState`). The engine is four files: this one, compile.ts (layout → model),
 * goal.ts (does the goal hold?) and rules.ts (the action schemas and special effects: valid actions and
 * stepping); engine.ts is their public face. (Numeric constants live in the file whose hot loop reads them:
 * through tsx's CommonJS an imported constant is a getter call, measurably slower in those loops.)
 *
 * Instead of the original's table of every ground predicate, a state is a small Int16Array:
 *
 *   [robotAt, held, bottom[S], top[S], below[I], above[I], at[I], flags[I]]
 *
 * (station/item indices, −1 for none), plus the list of active special effects in insertion order
 * (a flat number array, FX_STRIDE numbers per effect). Every predicate of the domain is a function of
 * these: item_on(i,s) ⇔ bottom[s]=i, item_at(i,s) ⇔ at[i]=s, atop(a,b) ⇔ below[a]=b,
 * clear(i) ⇔ at[i]≥0 ∧ above[i]=−1, station_empty(s) ⇔ bottom[s]=−1, loc/vacant from robotAt,
 * has_item/nothing from held, and the item flags (cut, cooked, cooking, …) are bits of flags[i].
 *
 * Actions are dense integers ("action ids") into per-layout tables of their strings and operands, so
 * listing valid actions and stepping build no strings.
 */
import { UserError } from "../util/errors";
import type { ObjectType } from "./domain";
import type { Layout } from "./layout";

// ---------------------------------------------------------------------------------------------
// The compiled layout

/** A goal literal over variables, compiled for the backtracking check. */
export interface GoalCheck {
  /** G_* code. */
  code: number;
  /** Flag bit (G_FLAG) or predicate index (G_STATIC). */
  arg: number;
  /** Variable positions (binding order) of the literal's arguments. */
  vars: number[];
}

export interface GoalVariable {
  /** Printable name `kind#id` (after the id-collision resolution). */
  name: string;
  type: ObjectType;
  /** Candidate objects: indices into the model's list of that type. */
  domain: number[];
  /** Earlier variables (binding positions) that must be bound to a different object (same kind). */
  distinct: number[];
  /** Literals whose last variable is this one: checked as soon as it is bound. */
  checks: GoalCheck[];
}

export interface GoalProgram {
  /** True when no assignment can ever satisfy the goal (the original's disjunction is empty or every disjunct names a missing object). */
  impossible: boolean;
  /** Why, when impossible. */
  reason: string | null;
  /** Variables in binding order. */
  vars: GoalVariable[];
  /** The goal as written, with each argument's resolved variable (`item_on(bread#1, table#2)`). */
  literals: string[];
}

export interface KitchenModel {
  readonly layout: Layout;
  readonly goalDescription: string;
  readonly nStations: number;
  readonly nItems: number;
  readonly stationNames: readonly string[];
  readonly stationKinds: readonly string[];
  readonly itemNames: readonly string[];
  readonly itemKinds: readonly string[];
  readonly playerName: string;
  /** Static unary predicates (identity, extra layout predicates) per object, as domain predicate indices in domain order. */
  readonly stationStatic: readonly (readonly number[])[];
  readonly itemStatic: readonly (readonly number[])[];
  readonly playerStatic: readonly number[];
  /** 1 for stoves / boards / fryers. */
  readonly isStove: Uint8Array;
  readonly isBoard: Uint8Array;
  readonly isFryer: Uint8Array;
  /** Offsets into the state array. */
  readonly oBottom: number;
  readonly oTop: number;
  readonly oBelow: number;
  readonly oAbove: number;
  readonly oAt: number;
  readonly oFlags: number;
  readonly stateSize: number;
  readonly initial: Int16Array;
  /** Action id → string / schema / operands. */
  readonly actionStrings: readonly string[];
  readonly actionOp: Uint8Array;
  readonly actionA: Int16Array;
  readonly actionB: Int16Array;
  readonly actionIdOf: ReadonlyMap<string, number>;
  /** Base action ids per schema (see actionId). */
  readonly base: readonly number[];
  readonly waitId: number;
  readonly goal: GoalProgram;
}

/** The mutable part: one state of a model. */
export interface EngineState {
  s: Int16Array;
  fx: number[];
}

/** A layout the engine cannot run: one line, `invalid layout: …`. */
export function invalidLayout(msg: string): never {
  throw new UserError(`invalid layout: ${msg}`);
}
