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

/**
 * A failed system call (Node's fs errors: `code`, `syscall`, usually `path`), as one line — the
 * operating system refusing a path (EACCES, EROFS, ENOSPC, ENOTDIR…) is the user's to fix, not a bug.
 * Null for anything else.
 */
export function systemErrorLine(e: unknown): string | null {
  const err = e as NodeJS.ErrnoException | null;
  if (!(err instanceof Error) || typeof err.code !== "string" || !/^E[A-Z0-9]+$/.test(err.code) || typeof err.syscall !== "string") return null;
  return err.message.split("\n")[0];
}

/** An action that is not valid in the current state (any environment). The CLI exits with code 2. */
export class InvalidActionError extends UserError {
  constructor(
    readonly action: string,
    validActions: readonly string[],
  ) {
    super(`invalid action ${JSON.stringify(action)}: not one of the ${validActions.length} valid actions`, 2);
    this.name = "InvalidActionError";
  }
}
