/**
 * Figures: a vega-lite 5 spec → SVG (vega's headless renderer) → PNG (resvg). vega 6 is ESM with
 * top-level await and cannot load in tslab's CommonJS cells, hence the 5.x pins.
 */
import * as path from "node:path";
import * as vega from "vega";
import * as vl from "vega-lite";
import { Resvg } from "@resvg/resvg-js";
import { writeFileAtomic } from "../util/files";
import { figuresDir, Profile, currentProfile } from "../util/profile";

export type VegaLiteSpec = vl.TopLevelSpec;

export interface RenderedFigure {
  svg: string;
  png: Uint8Array;
}

/** Render a vega-lite spec to SVG text. */
export async function toSvg(spec: VegaLiteSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Rasterise SVG text to PNG bytes with resvg (system fonts; DejaVu Sans as the fallback). */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    background: "white",
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
  });
  return resvg.render().asPng();
}

export async function render(spec: VegaLiteSpec): Promise<RenderedFigure> {
  const svg = await toSvg(spec);
  return { svg, png: svgToPng(svg) };
}

/**
 * Render and write `<name>.svg` and `<name>.png` under paper-figures/<profile>/ (or `dir`).
 * Returns the rendered figure and the two paths.
 */
export async function saveFigure(
  spec: VegaLiteSpec,
  name: string,
  opts: { profile?: Profile; dir?: string } = {},
): Promise<RenderedFigure & { svgPath: string; pngPath: string }> {
  const dir = opts.dir ?? figuresDir(opts.profile ?? currentProfile());
  const fig = await render(spec);
  const svgPath = path.join(dir, `${name}.svg`);
  const pngPath = path.join(dir, `${name}.png`);
  writeFileAtomic(svgPath, fig.svg);
  writeFileAtomic(pngPath, fig.png);
  return { ...fig, svgPath, pngPath };
}
