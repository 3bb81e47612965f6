/**
 * Notebook display helpers for the tslab kernel. `tslab` is required lazily so that lib code stays
 * importable from the CLI and tests, where no kernel is attached.
 */
import { ProgressSink, throttled } from "../util/progress";
import { saveFigure, VegaLiteSpec } from "./render";
import type { Profile } from "../util/profile";

function tslab(): typeof import("tslab") {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require("tslab");
}

/** True when running inside a tslab kernel (the kernel sets JPY_PARENT_PID / the tslab display works). */
export function inNotebook(): boolean {
  return Boolean(process.env.JPY_PARENT_PID) || process.argv.some((a) => a.includes("tslab"));
}

/** Render a figure, save it to paper-figures/<profile>/<name>.{svg,png}, and show it in the notebook. */
export async function showFigure(spec: VegaLiteSpec, name: string, opts: { profile?: Profile } = {}): Promise<string> {
  const fig = await saveFigure(spec, name, opts);
  if (inNotebook()) tslab().display.svg(fig.svg);
  return fig.svgPath;
}

/** Show a Markdown string (a table, a note) in the notebook; print it elsewhere. */
export function showMarkdown(md: string): void {
  if (inNotebook()) tslab().display.markdown(md);
  else console.log(md);
}

/** Show HTML in the notebook; print it elsewhere. */
export function showHtml(html: string): void {
  if (inNotebook()) tslab().display.html(html);
  else console.log(html);
}

/**
 * A progress sink that rewrites one notebook output in place (display_id updates), at most four times
 * a second: a tslab display fed hundreds of updates a second stalls the kernel.
 */
export function notebookProgress(): ProgressSink {
  if (!inNotebook()) return { update() {}, done: (t) => console.log(t) };
  const d = tslab().newDisplay();
  return throttled({
    update: (t) => d.text(t),
    done: (t) => d.text(t),
  });
}
