/**
 * The CLI's one output path: everything goes through process.stdout / process.stderr, and the process
 * ends only once both have handed all of it to the OS (`exitWhenDrained`).
 *
 * Why: writes to a pipe are asynchronous in Node once the pipe's 64 KiB buffer is full, and
 * `process.exit()` drops whatever is still queued — `stgrpo replay … | wc -l` used to get a few hundred of
 * 3009 lines with exit 0. An empty write's callback runs after every earlier write of that stream
 * (Writable keeps order), so waiting for it on both streams is waiting for the drain.
 *
 * A reader that goes away early (`stgrpo replay … | head -1`) makes the next write fail with EPIPE; the
 * command then stops quietly with status 141 (128 + SIGPIPE), what a shell reports for a Unix tool
 * killed by SIGPIPE, instead of an unhandled 'error' event and a stack trace.
 */

/** The status of a command stopped because its reader closed the pipe. */
export const EXIT_BROKEN_PIPE = 141;
/** EX_IOERR: stdout itself failed (not a closed reader). */
export const EXIT_IO_ERROR = 74;

export function writeOut(text: string): void {
  process.stdout.write(text);
}

export function writeErr(text: string): void {
  process.stderr.write(text);
}

/** Resolves once everything written to `stream` so far has been flushed (or the stream is gone). */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) return resolve();
    stream.once("error", () => resolve());
    stream.write("", () => resolve());
  });
}

let guarded = false;

/** Install the EPIPE handling on stdout and stderr (once per process). */
export function guardOutputStreams(): void {
  if (guarded) return;
  guarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      // The reader is gone: nothing more can be delivered, and saying so on a closed stderr is moot.
      if (e.code === "EPIPE" || e.code === "ERR_STREAM_DESTROYED") process.exit(EXIT_BROKEN_PIPE);
      // Any other failure (a full disk behind a redirect): say so once on the other stream, exit 74.
      if (process.exitCode === EXIT_IO_ERROR) return; // said once
      process.exitCode = EXIT_IO_ERROR;
      if (stream === process.stdout && !process.stderr.destroyed) process.stderr.write(`stgrpo: cannot write to stdout: ${e.code ?? e.message}\n`);
    });
  }
}

/** Exit with `code` once stdout and stderr are drained (74 instead of 0 when stdout failed). */
export async function exitWhenDrained(code: number): Promise<never> {
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(code !== 0 ? code : (process.exitCode ?? 0));
}
