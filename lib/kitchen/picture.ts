/**
 * A picture of a kitchen state as a vega-lite spec: the grid, stations as coloured squares labelled
 * with their names, the items stacked on them (bottom item lowest), and the robot with what it holds.
 * Positions only matter for the picture — the rules ignore distance (notes/kitchen-engine.md).
 */
import type { VegaLiteSpec, RenderedFigure } from "../viz/render";
import { Kitchen } from "./kitchen";
import type { Layout } from "./layout";

const KIND_COLOURS: Record<string, string> = {
  table: "#c8a77a",
  board: "#9ccf8f",
  stove: "#e07b6a",
  fryer: "#e8c15a",
  sink: "#7fb3e0",
};

export interface PictureOptions {
  /** Pixel size of one tile (default 90). */
  cell?: number;
  /** Title (default: the goal description). */
  title?: string;
}

const SHORT_FLAGS: Record<string, string> = { iscut: "cut", iscooked: "cooked", iscooking: "cooking", isfried: "fried" };

/** The vega-lite spec of a kitchen's current state (or of a layout's initial state). */
export function kitchenPicture(what: Kitchen | Layout, opts: PictureOptions = {}): VegaLiteSpec {
  const kitchen = what instanceof Kitchen ? what : Kitchen.fromLayout(what);
  const layout = kitchen.model.layout;
  const snap = kitchen.snapshot();
  const W = Math.max(layout.width, ...snap.stations.map((s) => s.x + 1), layout.players[0].x + 1);
  const H = Math.max(layout.height, ...snap.stations.map((s) => s.y + 1), layout.players[0].y + 1);
  const cell = opts.cell ?? 90;

  const floor: object[] = [];
  for (let x = 0; x < W; x++) for (let y = 0; y < H; y++) floor.push({ x0: x, x1: x + 1, y0: y, y1: y + 1 });
  const stations = snap.stations.map((s) => ({
    x0: s.x + 0.04,
    x1: s.x + 0.96,
    y0: s.y + 0.04,
    y1: s.y + 0.96,
    xc: s.x + 0.5,
    yl: s.y + 0.84,
    name: s.name,
    kind: s.kind,
  }));
  const flagsOf = new Map(snap.items.map((it) => [it.name, it.flags.map((f) => SHORT_FLAGS[f]).filter(Boolean)]));
  const itemLabel = (name: string) => {
    const f = flagsOf.get(name) ?? [];
    return f.length ? `${name} (${f.join(", ")})` : name;
  };
  const items: object[] = [];
  for (const s of snap.stations) {
    const step = Math.min(0.16, 0.62 / Math.max(1, s.stack.length));
    s.stack.forEach((name, level) => items.push({ x: s.x + 0.5, y: s.y + 0.14 + level * step, label: itemLabel(name) }));
  }

  // The robot stands on a floor tile next to its station: its layout tile when it is still at the
  // station it starts at, else the first free neighbour (below, left, right, above).
  const stationTiles = new Set(snap.stations.map((s) => `${s.x},${s.y}`));
  const p = layout.players[0];
  let robotXY: [number, number] = [p.x, p.y];
  const at = snap.stations.find((s) => s.name === snap.robot.at);
  const startStation = snap.stations.find((s) => s.x === p.x + p.direction[0] && s.y === p.y + p.direction[1]);
  if (at && at !== startStation) {
    const free = ([
      [0, -1],
      [-1, 0],
      [1, 0],
      [0, 1],
    ] as [number, number][])
      .map(([dx, dy]) => [at.x + dx, at.y + dy] as [number, number])
      .find(([x, y]) => x >= 0 && y >= 0 && x < W && y < H && !stationTiles.has(`${x},${y}`));
    robotXY = free ?? [at.x, at.y];
  }
  const robot = [
    {
      x: robotXY[0] + 0.5,
      y: robotXY[1] + 0.55,
      yl: robotXY[1] + 0.22,
      label: snap.robot.holding ? `${snap.robot.name}: ${itemLabel(snap.robot.holding)}` : snap.robot.name,
    },
  ];

  const X = { type: "quantitative", scale: { domain: [0, W], nice: false, zero: true }, axis: null } as const;
  const Y = { type: "quantitative", scale: { domain: [0, H], nice: false, zero: true }, axis: null } as const;
  const kinds = Object.keys(KIND_COLOURS);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: wrap(opts.title ?? kitchen.goalDescription, Math.max(20, Math.floor((W * cell) / 9))) },
    width: W * cell,
    height: H * cell,
    config: { view: { stroke: null } },
    layer: [
      {
        data: { values: floor },
        mark: { type: "rect", fill: "#f1efe9", stroke: "#ffffff", strokeWidth: 2 },
        encoding: { x: { field: "x0", ...X }, x2: { field: "x1" }, y: { field: "y0", ...Y }, y2: { field: "y1" } },
      },
      {
        data: { values: stations },
        mark: { type: "rect", stroke: "#555555", strokeWidth: 1, cornerRadius: 4 },
        encoding: {
          x: { field: "x0", ...X },
          x2: { field: "x1" },
          y: { field: "y0", ...Y },
          y2: { field: "y1" },
          color: {
            field: "kind",
            type: "nominal",
            scale: { domain: kinds, range: kinds.map((k) => KIND_COLOURS[k]) },
            legend: { title: "station", orient: "bottom" },
          },
        },
      },
      {
        data: { values: stations },
        mark: { type: "text", fontWeight: "bold", fontSize: Math.max(8, cell / 8) },
        encoding: { x: { field: "xc", ...X }, y: { field: "yl", ...Y }, text: { field: "name" } },
      },
      {
        data: { values: items },
        mark: { type: "text", fontSize: Math.max(7, cell / 10), baseline: "bottom" },
        encoding: { x: { field: "x", ...X }, y: { field: "y", ...Y }, text: { field: "label" } },
      },
      {
        data: { values: robot },
        mark: { type: "point", shape: "circle", filled: true, size: (cell * cell) / 6, color: "#4a4a8a" },
        encoding: { x: { field: "x", ...X }, y: { field: "y", ...Y } },
      },
      {
        data: { values: robot },
        mark: { type: "text", fontSize: Math.max(7, cell / 10), fontWeight: "bold", color: "#2c2c66" },
        encoding: { x: { field: "x", ...X }, y: { field: "yl", ...Y }, text: { field: "label" } },
      },
    ],
  } as unknown as VegaLiteSpec;
}

/** Break a title into lines of at most `width` characters (at spaces). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
