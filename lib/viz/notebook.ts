/**
 * Notebook display helpers for the tslab kernel. `tslab` is required lazily so that lib code stays
 * importable from the CLI and tests, where no kernel is attached.
 */
import { ProgressSink, throttled } from "../util/progress";
import { saveFigure, VegaLiteSpec } from "./render";
import { Profile, repoPath } from "../util/profile";

function tslab(): typeof import("tslab") {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return require("tslab");
}

/** True when running inside a tslab kernel (the kernel sets JPY_PARENT_PID / the tslab display works). */
function inNotebook(): boolean {
  return Boolean(process.env.JPY_PARENT_PID) || process.argv.some((a) => a.includes("tslab"));
}

/**
 * Render a figure, save it to paper-figures/<profile>/<name>.{svg,png}, and show it in the notebook.
 * Returns the SVG's path relative to the repository: a notebook prints a cell's last value, so this
 * is the line under each figure.
 */
export async function showFigure(spec: VegaLiteSpec, name: string, opts: { profile?: Profile } = {}): Promise<string> {
  const fig = await saveFigure(spec, name, opts);
  if (inNotebook()) send(() => tslab().display.svg(fig.svg));
  return repoPath(fig.svgPath);
}

/** Show a Markdown string (a table, a note) in the notebook; print it elsewhere. */
export function showMarkdown(md: string): void {
  if (inNotebook()) send(() => tslab().display.markdown(md));
  else console.log(md);
}

/**
 * A progress sink that rewrites one notebook output in place (display_id updates), at most four times
 * a second: a tslab display fed hundreds of updates a second stalls the kernel.
 */
export function notebookProgress(): ProgressSink {
  if (!inNotebook()) return { update() {}, done: (t) => console.log(t) };
  const display = tslab().newDisplay();
  const show = (text: string) => send(() => display.text(text), display);
  return throttled({ update: show, done: show });
}

/**
 * tslab sends every display message on one ZeroMQ socket without waiting for the previous send to
 * finish, and a second send while one is in flight throws EBUSY ("Socket is busy writing") — which
 * happens when training keeps the event loop busy between two progress updates, or when a table is
 * shown right after. So display messages go through one outbox, in order: a send that finds the socket
 * busy waits there and is retried shortly. A progress display keeps only its latest text in the
 * outbox (`key`), so the last line is always shown and none piles up.
 */
const outbox: { key: unknown; send: () => void }[] = [];
let retry: NodeJS.Timeout | null = null;

function send(fn: () => void, key: unknown = null): void {
  const queued = key === null ? -1 : outbox.findIndex((m) => m.key === key);
  if (queued >= 0) outbox[queued].send = fn;
  else outbox.push({ key, send: fn });
  if (!retry) flush();
}

function flush(): void {
  retry = null;
  while (outbox.length) {
    try {
      outbox[0].send();
    } catch (e) {
      if ((e as { code?: string })?.code !== "EBUSY") {
        outbox.shift();
        throw e;
      }
      retry = setTimeout(flush, 20);
      return;
    }
    outbox.shift();
  }
}
