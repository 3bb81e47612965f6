/**
 * The instantiated layout (docs/design.md, "Records"; the shape of data/testdata/layouts.json):
 * object names already carry their numeric ids (`table1`, `patty2`), and the goal is still in the
 * task's kind-and-variable form (`item_on(bottombun#1, table#2)`).
 */
export interface LayoutStation {
  name: string;
  x: number;
  y: number;
  predicates?: string[];
}

export interface LayoutItem {
  name: string;
  x: number;
  y: number;
  "stack-level": number;
  predicates?: string[];
}

export interface LayoutPlayer {
  name: string;
  x: number;
  y: number;
  direction: [number, number];
}

/** One positive goal literal: `predicate(args…)` where args are kinds and ids are per-kind variables. */
export interface GoalLiteral {
  predicate: string;
  args: string[];
  ids: (number | string)[];
}

export interface Layout {
  width: number;
  height: number;
  stations: LayoutStation[];
  items: LayoutItem[];
  players: LayoutPlayer[];
  goal: GoalLiteral[];
  goal_description: string;
}
