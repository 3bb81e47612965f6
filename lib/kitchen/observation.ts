/**
 * The observation text (`LanguageSpace.state_to_language_description`, notes/kitchen-engine.md), a pure
 * function of a state: one block per object (stations, items, the player, in layout order), each
 * listing the object's true predicates in domain order — and, within a predicate, in
 * `itertools.product` order of the argument tuples over the object numbering — rendered with the
 * template of the object's argument position; then `Valid Actions:` and `Goal: …`.
 */
import { ITEM_FLAGS, PREDICATES, fillTemplate } from "./domain";
import type { EngineState, KitchenModel } from "./model";
import { validActionIds } from "./rules";

const FLAG_TEMPLATES = ITEM_FLAGS.map((f) => PREDICATES.find((p) => p.name === f)!.templates[0]);

interface Lines {
  stationHeader: string[];
  itemHeader: string[];
  playerHeader: string;
  itemFlagLines: string[][];
}

const staticCache = new WeakMap<KitchenModel, Lines>();

/** Per-model constant text: headers with identity lines, and each item's flag lines. */
function lines(m: KitchenModel): Lines {
  const hit = staticCache.get(m);
  if (hit) return hit;
  const header = (type: string, name: string, preds: readonly number[]) =>
    [`${type} ${name}:`, ...preds.map((p) => fillTemplate(PREDICATES[p].templates[0], { 0: name }))].join("\n");
  const out: Lines = {
    stationHeader: m.stationNames.map((n, k) => header("Station", n, m.stationStatic[k])),
    itemHeader: m.itemNames.map((n, k) => header("Item", n, m.itemStatic[k])),
    playerHeader: header("Player", m.playerName, m.playerStatic),
    itemFlagLines: m.itemNames.map((n) => FLAG_TEMPLATES.map((t) => fillTemplate(t, { 0: n }))),
  };
  staticCache.set(m, out);
  return out;
}

/** The object blocks (everything before "Valid Actions:"). */
export function renderObjects(m: KitchenModel, st: EngineState): string {
  const s = st.s;
  const L = lines(m);
  const robot = m.playerName;
  const r = s[0];
  const held = s[1];
  const S = m.nStations;
  const I = m.nItems;
  const blocks: string[] = [];
  for (let k = 0; k < S; k++) {
    const name = m.stationNames[k];
    let b = L.stationHeader[k];
    if (r === k) b += `\n${name} is occupied by ${robot}`;
    for (let i = 0; i < I; i++) if (s[m.oAt + i] === k) b += `\n${name} has ${m.itemNames[i]}`;
    const bottom = s[m.oBottom + k];
    if (bottom === -1) b += `\n${name} has nothing on it`;
    else b += `\n${name} has ${m.itemNames[bottom]} directly on top of it`;
    if (r !== k) b += `\n${name} has no players at it`;
    blocks.push(b);
  }
  for (let i = 0; i < I; i++) {
    const name = m.itemNames[i];
    let b = L.itemHeader[i];
    const f = s[m.oFlags + i];
    for (let bit = 0; bit < ITEM_FLAGS.length; bit++) if (f & (1 << bit)) b += "\n" + L.itemFlagLines[i][bit];
    const at = s[m.oAt + i];
    const below = s[m.oBelow + i];
    const above = s[m.oAbove + i];
    if (at >= 0) {
      b += `\n${name} is at ${m.stationNames[at]}`;
      if (below === -1) b += `\n${name} is directly on top of ${m.stationNames[at]}`;
      if (above === -1) b += `\n${name} has nothing above it`;
    }
    // atop(a, b) lines in (index of a, index of b) order: atop(above, i) precedes atop(i, below) iff above < i.
    const onTop = below >= 0 ? `\n${name} is directly on top of ${m.itemNames[below]}` : "";
    const under = above >= 0 ? `\n${name} is directly under ${m.itemNames[above]}` : "";
    b += above >= 0 && above < i ? under + onTop : onTop + under;
    if (held === i) b += `\n${name} is held by ${robot}`;
    blocks.push(b);
  }
  let pb = L.playerHeader;
  if (r >= 0) pb += `\n${robot} is at ${m.stationNames[r]}`;
  pb += held === -1 ? `\n${robot} is holding nothing` : `\n${robot} is holding ${m.itemNames[held]}`;
  blocks.push(pb);
  return blocks.join("\n\n");
}

/** The full observation text, given the valid action strings (computed when not given). */
export function renderObservation(m: KitchenModel, st: EngineState, validActions?: readonly string[]): string {
  let actions = validActions;
  if (!actions) {
    const buf = new Int32Array(m.nStations + 8);
    const n = validActionIds(m, st, buf);
    actions = Array.from(buf.subarray(0, n), (id) => m.actionStrings[id]);
  }
  return `${renderObjects(m, st)}\n\nValid Actions:\n${actions.join("\n")}\n\nGoal: ${m.goalDescription}`;
}
