/**
 * Progress for long work. One interface, two sinks: a single rewritten terminal line (stderr, so
 * stdout stays machine-readable), or an updating notebook display (lib/viz/notebook.ts).
 */
export interface ProgressSink {
  update(text: string): void;
  done(text: string): void;
}

/** Rewrites one stderr line on a TTY; on a pipe/CI prints at most one line every `everyMs`. */
export function terminalProgress(everyMs = 2000): ProgressSink {
  const tty = Boolean(process.stderr.isTTY);
  let last = 0;
  return {
    update(text) {
      const now = Date.now();
      if (tty) process.stderr.write(`\r\x1b[K${text}`);
      else if (now - last >= everyMs) process.stderr.write(text + "\n");
      else return;
      last = now;
    },
    done(text) {
      process.stderr.write(tty ? `\r\x1b[K${text}\n` : text + "\n");
    },
  };
}

/**
 * At most one update every `ms` (the last one is shown by `done`): evaluation ticks hundreds of times a
 * second, and a notebook display stalls when its updates come faster than the kernel can send them.
 */
export function throttled(sink: ProgressSink, ms = 250): ProgressSink {
  let last = 0;
  return {
    update: (t) => {
      const now = Date.now();
      if (now - last < ms) return;
      last = now;
      sink.update(t);
    },
    done: (t) => sink.done(t),
  };
}

/** A sink that records nothing: for tests and library callers that want silence. */
export const silentProgress: ProgressSink = { update() {}, done() {} };

/** Tracks n of total with rate and ETA, formatted for a progress line. */
export class Progress {
  private readonly start = Date.now();
  private n = 0;
  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly sink: ProgressSink = terminalProgress(),
  ) {}

  tick(by = 1, extra = ""): void {
    this.n += by;
    this.sink.update(this.line(extra));
  }

  finish(extra = ""): void {
    this.sink.done(this.line(extra));
  }

  private line(extra: string): string {
    const secs = (Date.now() - this.start) / 1000;
    const rate = this.n / Math.max(secs, 1e-9);
    const eta = rate > 0 && this.total > this.n ? ` eta ${formatSeconds((this.total - this.n) / rate)}` : "";
    return `${this.label} ${this.n}/${this.total} (${formatSeconds(secs)}${eta})${extra ? " " + extra : ""}`;
  }
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - 60 * m)).padStart(2, "0")}s`;
}
