/**
 * A mistake the user can fix (unknown task, malformed file, invalid action, unreachable server).
 * The CLI prints `message` as one line and exits with `exitCode`; it never prints a stack trace for these.
 */
export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = 1) {
    super(message);
    this.name = "UserError";
  }
}

/** Narrow an unknown thrown value to a message, for one-line reports. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
