/**
 * The domain's rules on a state: which grounded actions are valid, what an action does (including the
 * special effects: repeated cuts, timed cooking and frying), the canonical state key, and readable views.
 */
import { COOKABLE, COOKED, COOKING, COOK_TICKS, CUT, CUTTABLE, CUT_REPETITIONS, FRIED, FRYABLE, FRYABLE_IF_CUT } from "./domain";
import { EngineState, KitchenModel } from "./model";

// ---------------------------------------------------------------------------------------------
// Actions

/** Action schemas, numbered in the order the valid-action list shows them. */
export const OP_MOVE = 0;
export const OP_PICK_UP = 1;
export const OP_PLACE = 2;
export const OP_COOK = 3;
export const OP_CUT = 4;
export const OP_FRY = 5;
export const OP_STACK = 6;
export const OP_UNSTACK = 7;
export const OP_WAIT = 8;
export const OP_NAMES = ["move", "pick-up-item", "place-item", "cook", "cut", "fry", "stack", "unstack", "wait"] as const;

// ---------------------------------------------------------------------------------------------
// Special effects (the original's backend/special_effects/*, specialised to the domain's uses)

/** `cut`'s repetitive effect: on the 3rd active update of the same item, +iscut(i); then completed. */
export const FX_REPEAT_CUT = 1;
/** `cut`'s conditional effect: if isfryableifcut(i) ∧ iscut(i) then +isfryable(i) (completed), else −isfryable(i). */
export const FX_FRYABLE_IF_CUT = 2;
/** `cook`: while item_on(i, stove) set +iscooking(i) and advance a 4-tick delay (→ +iscooked, −iscooking); else −iscooking(i). */
export const FX_COOK = 3;
/** `fry`: while item_on(i, fryer) advance a 4-tick delay (→ +isfried). */
export const FX_FRY = 4;
/** One effect is [type, item, station (−1 when not part of its identity), counter, completed]. */
export const FX_STRIDE = 5;

// ---------------------------------------------------------------------------------------------
// States

export function initialState(m: KitchenModel): EngineState {
  return { s: m.initial.slice(), fx: [] };
}

export function cloneState(st: EngineState): EngineState {
  return { s: st.s.slice(), fx: st.fx.slice() };
}

/** Is the grounded action valid (all preconditions hold)? */
export function isValidAction(m: KitchenModel, st: EngineState, id: number): boolean {
  if (id < 0 || id > m.waitId || !Number.isInteger(id)) return false;
  const s = st.s;
  const r = s[0];
  const op = m.actionOp[id];
  const a = m.actionA[id];
  const b = m.actionB[id];
  switch (op) {
    case OP_MOVE:
      return r === a && b !== r;
    case OP_PICK_UP:
      return r === b && s[1] === -1 && s[m.oBottom + b] === a && s[m.oTop + b] === a;
    case OP_PLACE:
      return r === b && s[1] === a && s[m.oBottom + b] === -1;
    case OP_COOK: {
      const f = s[m.oFlags + a];
      return r === b && m.isStove[b] === 1 && (f & COOKABLE) !== 0 && (f & COOKING) === 0 && lone(m, s, a, b) && s[1] === -1;
    }
    case OP_CUT:
      return r === b && m.isBoard[b] === 1 && (s[m.oFlags + a] & CUTTABLE) !== 0 && lone(m, s, a, b) && s[1] === -1;
    case OP_FRY:
      return r === b && m.isFryer[b] === 1 && (s[m.oFlags + a] & FRYABLE) !== 0 && lone(m, s, a, b) && s[1] === -1;
    case OP_STACK:
      return r >= 0 && s[1] === a && s[m.oTop + r] === b && b >= 0;
    case OP_UNSTACK:
      return r >= 0 && s[1] === -1 && s[m.oTop + r] === a && a >= 0 && s[m.oBelow + a] === b && b >= 0;
    default:
      return true; // wait
  }
}

function lone(m: KitchenModel, s: Int16Array, i: number, st: number): boolean {
  return s[m.oBottom + st] === i && s[m.oTop + st] === i;
}

/**
 * Write the valid action ids into `out`, in the original engine's order, and return how many.
 * Schemas in domain order; within `move`, destinations in station order (the only schema with more
 * than one valid grounding for a single robot — see notes/kitchen-engine.md).
 */
export function validActionIds(m: KitchenModel, st: EngineState, out: Int32Array): number {
  const s = st.s;
  const r = s[0];
  const held = s[1];
  let n = 0;
  if (r < 0) {
    out[n++] = m.waitId;
    return n;
  }
  const S = m.nStations;
  for (let b = 0; b < S; b++) if (b !== r) out[n++] = r * S + b;
  const bottom = s[m.oBottom + r];
  const top = s[m.oTop + r];
  if (held === -1) {
    if (bottom >= 0 && bottom === top) {
      out[n++] = m.base[OP_PICK_UP] + bottom * S + r;
      const f = s[m.oFlags + bottom];
      if (m.isStove[r] && (f & COOKABLE) !== 0 && (f & COOKING) === 0) out[n++] = m.base[OP_COOK] + bottom * S + r;
      if (m.isBoard[r] && (f & CUTTABLE) !== 0) out[n++] = m.base[OP_CUT] + bottom * S + r;
      if (m.isFryer[r] && (f & FRYABLE) !== 0) out[n++] = m.base[OP_FRY] + bottom * S + r;
    }
    if (top >= 0) {
      const under = s[m.oBelow + top];
      if (under >= 0) out[n++] = m.base[OP_UNSTACK] + top * m.nItems + under;
    }
  } else {
    if (bottom === -1) out[n++] = m.base[OP_PLACE] + held * S + r;
    else out[n++] = m.base[OP_STACK] + held * m.nItems + top;
  }
  out[n++] = m.waitId;
  return n;
}

/**
 * Perform a valid action: immediate effects, then its special effects (find-or-append, active
 * update), then one passive tick of every special effect with the original's removal-during-iteration
 * skip. The caller checks validity first.
 */
export function applyAction(m: KitchenModel, st: EngineState, id: number): void {
  const s = st.s;
  const r = s[0];
  const a = m.actionA[id];
  const b = m.actionB[id];
  switch (m.actionOp[id]) {
    case OP_MOVE:
      s[0] = b;
      break;
    case OP_PICK_UP:
      s[1] = a;
      s[m.oBottom + r] = -1;
      s[m.oTop + r] = -1;
      s[m.oAt + a] = -1;
      break;
    case OP_PLACE:
      s[1] = -1;
      s[m.oBottom + r] = a;
      s[m.oTop + r] = a;
      s[m.oAt + a] = r;
      s[m.oBelow + a] = -1;
      s[m.oAbove + a] = -1;
      break;
    case OP_STACK:
      s[1] = -1;
      s[m.oBelow + a] = b;
      s[m.oAbove + a] = -1;
      s[m.oAbove + b] = a;
      s[m.oTop + r] = a;
      s[m.oAt + a] = r;
      break;
    case OP_UNSTACK:
      s[1] = a;
      s[m.oAbove + b] = -1;
      s[m.oTop + r] = b;
      s[m.oBelow + a] = -1;
      s[m.oAt + a] = -1;
      break;
    case OP_COOK:
      addEffect(m, st, FX_COOK, a, b);
      break;
    case OP_CUT:
      addEffect(m, st, FX_REPEAT_CUT, a, -1);
      addEffect(m, st, FX_FRYABLE_IF_CUT, a, -1);
      break;
    case OP_FRY:
      addEffect(m, st, FX_FRY, a, b);
      break;
    default:
      break; // wait
  }
  tick(m, st);
}

/**
 * `State.update_special_effect`: reuse an equal effect already in the list (equality ignores the
 * counter and the completed flag, as the original's __eq__ does), else append a fresh one; then
 * update it actively.
 */
function addEffect(m: KitchenModel, st: EngineState, type: number, item: number, station: number): void {
  const fx = st.fx;
  let at = -1;
  for (let k = 0; k < fx.length; k += FX_STRIDE) {
    if (fx[k] === type && fx[k + 1] === item && fx[k + 2] === station) {
      at = k;
      break;
    }
  }
  if (at < 0) {
    at = fx.length;
    fx.push(type, item, station, 0, 0);
  }
  updateEffect(m, st, at, true);
}

/**
 * `State.step`'s loop: `for e in effects: e.update(); if e.completed: effects.remove(e)`. Removing
 * the current element while iterating shifts the list, so the element right after a removed one is
 * not updated in that step (notes/kitchen-engine.md).
 */
function tick(m: KitchenModel, st: EngineState): void {
  const fx = st.fx;
  let k = 0;
  while (k < fx.length) {
    const e = k;
    k += FX_STRIDE;
    updateEffect(m, st, e, false);
    if (fx[e + 4] === 1) {
      fx.splice(e, FX_STRIDE);
    }
  }
}

function updateEffect(m: KitchenModel, st: EngineState, e: number, active: boolean): void {
  const fx = st.fx;
  if (fx[e + 4] === 1) return; // completed effects do nothing
  const s = st.s;
  const item = fx[e + 1];
  const fi = m.oFlags + item;
  switch (fx[e]) {
    case FX_REPEAT_CUT:
      if (!active) return;
      fx[e + 3]++;
      if (fx[e + 3] === CUT_REPETITIONS) {
        s[fi] |= CUT;
        fx[e + 4] = 1;
      }
      return;
    case FX_FRYABLE_IF_CUT:
      if ((s[fi] & FRYABLE_IF_CUT) === 0 || (s[fi] & CUT) === 0) {
        s[fi] &= ~FRYABLE; // a failed condition negates the effects
        return;
      }
      s[fi] |= FRYABLE;
      fx[e + 4] = 1; // no nested effects: all([]) is True
      return;
    case FX_COOK:
    case FX_FRY: {
      const cook = fx[e] === FX_COOK;
      if (s[m.oBottom + fx[e + 2]] !== item) {
        if (cook) s[fi] &= ~COOKING;
        return;
      }
      if (cook) s[fi] |= COOKING;
      if (active) return; // the nested delayed effect ignores active updates
      fx[e + 3]++;
      if (fx[e + 3] === COOK_TICKS) {
        if (cook) {
          s[fi] |= COOKED;
          s[fi] &= ~COOKING;
        } else {
          s[fi] |= FRIED;
        }
        fx[e + 4] = 1; // delayed completed, hence the conditional too
      }
      return;
    }
    default:
      return;
  }
}

/**
 * A canonical key of everything that determines the future: robot station, held item, every stack,
 * the item flags, and the special-effect list in order (with counters and completed flags).
 */
export function stateKey(st: EngineState): string {
  const s = st.s;
  const fx = st.fx;
  let key = "";
  // String.fromCharCode over chunks; values are ≥ −1, so +1 keeps them non-negative.
  const codes: number[] = new Array(s.length + fx.length + 1);
  for (let k = 0; k < s.length; k++) codes[k] = s[k] + 1;
  codes[s.length] = 0xffff;
  for (let k = 0; k < fx.length; k++) codes[s.length + 1 + k] = fx[k] + 1;
  for (let k = 0; k < codes.length; k += 4096) {
    key += String.fromCharCode.apply(null, codes.slice(k, k + 4096));
  }
  return key;
}

// ---------------------------------------------------------------------------------------------
// Reading a state (for rendering, pictures, planners)

/** Bottom → top item indices on a station. */
export function stackOf(m: KitchenModel, s: Int16Array, station: number): number[] {
  const out: number[] = [];
  for (let i = s[m.oBottom + station]; i >= 0; i = s[m.oAbove + i]) out.push(i);
  return out;
}

/** The per-item cut counters of the unfinished repetitive effects (hidden state; for tests and debugging). */
export function cutProgress(m: KitchenModel, st: EngineState): Map<string, number> {
  const out = new Map<string, number>();
  for (let k = 0; k < st.fx.length; k += FX_STRIDE) {
    if (st.fx[k] === FX_REPEAT_CUT && st.fx[k + 4] === 0) out.set(m.itemNames[st.fx[k + 1]], st.fx[k + 3]);
  }
  return out;
}

/** The special-effect list, readable (for tests and debugging). */
export function describeEffects(m: KitchenModel, st: EngineState): string[] {
  const out: string[] = [];
  const names = ["", "repeat-cut", "fryable-if-cut", "cook", "fry"];
  for (let k = 0; k < st.fx.length; k += FX_STRIDE) {
    const [type, item, station, counter, completed] = st.fx.slice(k, k + FX_STRIDE);
    out.push(
      `${names[type]}(${m.itemNames[item]}${station >= 0 ? "," + m.stationNames[station] : ""})` +
        `${type === FX_FRYABLE_IF_CUT ? "" : ":" + counter}${completed ? " completed" : ""}`,
    );
  }
  return out;
}
