/**
 * Robotouille's domain (`domain/robotouille.json` on the `release` branch), as data: the object kinds,
 * the predicates in the domain's order with their language templates, and the action templates.
 *
 * The predicate order matters: it is the order of the lines inside an observation block
 * (notes/kitchen-engine.md). The action order is the order of the valid-action list.
 */

export type ObjectType = "station" | "item" | "player" | "container" | "meal";

export const STATION_KINDS = ["table", "stove", "board", "fryer", "sink"] as const;
export const ITEM_KINDS = [
  "bottombun",
  "lettuce",
  "patty",
  "topbun",
  "bread",
  "cheese",
  "tomato",
  "onion",
  "chicken",
  "potato",
] as const;
export const PLAYER_KINDS = ["robot"] as const;
export const CONTAINER_KINDS = ["pot", "bowl"] as const;
export const MEAL_KINDS = ["water", "boiling_water", "soup"] as const;

export type StationKind = (typeof STATION_KINDS)[number];
export type ItemKind = (typeof ITEM_KINDS)[number];

/** The Layout field each object type lives in, and back (the original's `entity_to_entity_field`). */
export const TYPE_OF_FIELD: Record<string, ObjectType> = {
  stations: "station",
  items: "item",
  players: "player",
  containers: "container",
  meals: "meal",
};

/** Kind → type, for the concrete kinds and the two wildcards the goal language accepts. */
export function typeOfKind(kind: string): ObjectType | null {
  if ((STATION_KINDS as readonly string[]).includes(kind) || kind === "station") return "station";
  if ((ITEM_KINDS as readonly string[]).includes(kind) || kind === "item") return "item";
  if ((PLAYER_KINDS as readonly string[]).includes(kind) || kind === "player") return "player";
  if ((CONTAINER_KINDS as readonly string[]).includes(kind) || kind === "container") return "container";
  if ((MEAL_KINDS as readonly string[]).includes(kind) || kind === "meal") return "meal";
  return null;
}

/** An object's kind is its name with the trailing digits removed (`table12` → `table`). */
export function kindOf(name: string): string {
  return name.replace(/\d+$/, "");
}

export interface PredicateDef {
  name: string;
  types: ObjectType[];
  /** templates[k] renders the predicate inside the block of the object in argument position k. */
  templates: string[];
}

const p = (name: string, types: ObjectType[], ...templates: string[]): PredicateDef => ({ name, types, templates });

/** Every predicate, in the domain's order. */
export const PREDICATES: readonly PredicateDef[] = [
  p("istable", ["station"], "{0} is a table"),
  p("isstove", ["station"], "{0} is a stove"),
  p("isboard", ["station"], "{0} is a cutting board"),
  p("isfryer", ["station"], "{0} is a fryer"),
  p("issink", ["station"], "{0} is a sink"),
  p("isrobot", ["player"], "{0} is a robot"),
  p("istopbun", ["item"], "{0} is a top bun"),
  p("isbottombun", ["item"], "{0} is a bottom bun"),
  p("isbread", ["item"], "{0} is a bread slice"),
  p("islettuce", ["item"], "{0} is a head of lettuce"),
  p("isonion", ["item"], "{0} is an onion"),
  p("istomato", ["item"], "{0} is a tomato"),
  p("ispatty", ["item"], "{0} is a hamburger patty"),
  p("ischicken", ["item"], "{0} is a chicken breast"),
  p("ischeese", ["item"], "{0} is a cheese slice"),
  p("ispotato", ["item"], "{0} is a potato"),
  p("isfryable", ["item"], "{0} can be fried in a fryer"),
  p("isfryableifcut", ["item"], "{0} can be fried in a fryer after being cut"),
  p("isfried", ["item"], "{0} is fried"),
  p("iscookable", ["item"], "{0} can be cooked on a stove"),
  p("iscooking", ["item"], "{0} is cooking"),
  p("iscooked", ["item"], "{0} is cooked"),
  p("iscuttable", ["item"], "{0} can be cut on a cutting board"),
  p("iscut", ["item"], "{0} is cut"),
  p("ispot", ["container"], "{0} is a pot"),
  p("isbowl", ["container"], "{0} is a bowl"),
  p("iswater", ["meal"], "{0} is water"),
  p("isboiling", ["meal"], "{0} is boiling"),
  p("loc", ["player", "station"], "{0} is at {1}", "{1} is occupied by {0}"),
  p("item_at", ["item", "station"], "{0} is at {1}", "{1} has {0}"),
  p("nothing", ["player"], "{0} is holding nothing"),
  p("station_empty", ["station"], "{0} has nothing on it"),
  p("container_empty", ["container"], "{0} has nothing inside it"),
  p("item_on", ["item", "station"], "{0} is directly on top of {1}", "{1} has {0} directly on top of it"),
  p("vacant", ["station"], "{0} has no players at it"),
  p("clear", ["item"], "{0} has nothing above it"),
  p("atop", ["item", "item"], "{0} is directly on top of {1}", "{1} is directly under {0}"),
  p("has_item", ["player", "item"], "{0} is holding {1}", "{1} is held by {0}"),
  p("has_container", ["player", "container"], "{0} is holding {1}", "{1} is held by {0}"),
  p("in", ["meal", "container"], "{0} is inside of {1}", "{1} contains {0}"),
  p("addedto", ["item", "meal"], "{0} is added to {1}", "{1} has {0} added to it"),
  p("container_at", ["container", "station"], "{0} is at {1}", "{1} has {0}"),
];

export const PREDICATE_INDEX: ReadonlyMap<string, number> = new Map(PREDICATES.map((d, k) => [d.name, k]));

/**
 * The item predicates that actions and special effects change, in domain order; bit k of an item's
 * flag word is ITEM_FLAGS[k]. A layout item's `predicates` list may name any of these.
 */
export const ITEM_FLAGS = [
  "isfryable",
  "isfryableifcut",
  "isfried",
  "iscookable",
  "iscooking",
  "iscooked",
  "iscuttable",
  "iscut",
] as const;
export type ItemFlag = (typeof ITEM_FLAGS)[number];

export const FRYABLE = 1 << 0;
export const FRYABLE_IF_CUT = 1 << 1;
export const FRIED = 1 << 2;
export const COOKABLE = 1 << 3;
export const COOKING = 1 << 4;
export const COOKED = 1 << 5;
export const CUTTABLE = 1 << 6;
export const CUT = 1 << 7;

/** Hard-coded in the original's special effects (the task JSON's `num_cuts` / `cook_time` are never read). */
export const CUT_REPETITIONS = 3;
export const COOK_TICKS = 4;

/**
 * The synchronous action schemas in the domain's order, with their language templates. The soup
 * actions (pick-up-container, place-container, fill-pot, boil-water, add-to, fill-bowl) sit between
 * fry and stack in the domain; no synchronous layout has containers, so they never ground.
 */
export const ACTION_TEMPLATES = {
  move: "Move {p1} from {s1} to {s2}",
  "pick-up-item": "Pick up {i1} from {s1} using {p1}",
  "place-item": "Place {i1} on {s1} using {p1}",
  cook: "Cook {i1} on {s1} using {p1}",
  cut: "Cut {i1} on {s1} using {p1}",
  fry: "Fry {i1} on {s1} using {p1}",
  stack: "Stack {i1} on top of {i2} using {p1}",
  unstack: "Unstack {i1} from {i2} using {p1}",
  wait: "Do nothing",
} as const;

/** Fill `{name}` placeholders. */
export function fillTemplate(template: string, args: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => args[k]);
}
