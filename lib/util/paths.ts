/**
 * The one place that validates and creates output paths (every `--out`, `--traces`, `--summary`,
 * `--root` of the CLI, and every write of lib/util/files.ts), so a bad path is a one-line UserError
 * before any work starts — never a hang, a stack trace, or a half-written run:
 *
 * - targets under /proc, /sys and /dev are refused: they are not where results go, Node's recursive
 *   mkdir loops forever under /proc, and reading /dev/full or /dev/zero "to check the last line" never ends;
 * - directories are created one component at a time, each failure named (a file in the way: ENOTDIR;
 *   no permission: EACCES/EPERM; a read-only file system: EROFS);
 * - an existing target must be of the right kind (a regular file, or a directory) and writable.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "./errors";

/** Pseudo file systems: a device or kernel file is never an output a user means. */
const PSEUDO_ROOTS = ["/proc", "/sys", "/dev"];

const REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  ENOTDIR: "a component of the path is a file, not a directory",
  EEXIST: "it exists and is not a directory",
  EISDIR: "it is a directory",
  ENAMETOOLONG: "the name is too long",
  ELOOP: "too many symbolic links",
  ENOENT: "no such file or directory",
};

/** "permission denied (EACCES)" for an fs error; its first line otherwise. */
export function reasonOf(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code && REASONS[code]) return `${REASONS[code]} (${code})`;
  return code ?? String((e as Error)?.message ?? e).split("\n")[0];
}

function underPseudo(p: string): string | null {
  for (const root of PSEUDO_ROOTS) if (p === root || p.startsWith(root + "/")) return root;
  return null;
}

/** The deepest existing ancestor of `p` (itself when it exists), with symlinks resolved. */
function realAncestor(p: string): string {
  let cur = p;
  for (;;) {
    try {
      return fs.realpathSync(cur);
    } catch {
      const up = path.dirname(cur);
      if (up === cur) return cur;
      cur = up;
    }
  }
}

function refusePseudo(given: string, resolved: string, what: string): void {
  const root = underPseudo(resolved) ?? underPseudo(realAncestor(resolved));
  if (root) throw new UserError(`${what} ${given} is under ${root}, a pseudo file system: choose a file or directory on disk`);
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch (e: any) {
    if (e?.code === "ENOENT") return null;
    throw new UserError(`cannot use ${p}: ${reasonOf(e)}`);
  }
}

function checkWritable(p: string, what: string, given: string): void {
  try {
    fs.accessSync(p, fs.constants.W_OK);
  } catch (e) {
    throw new UserError(`${what} ${given}: cannot write to ${p}: ${reasonOf(e)}`);
  }
}

/**
 * Make sure `dir` is a writable directory, creating it and its parents as needed. Returns the
 * absolute path. `what` names the flag or role in errors ("--out", "results directory").
 */
export function ensureOutputDir(dir: string, what = "output directory"): string {
  if (dir.trim() === "") throw new UserError(`${what} is empty`);
  const abs = path.resolve(dir);
  refusePseudo(dir, abs, what);
  const parts = abs.split(path.sep).filter(Boolean);
  let cur = path.parse(abs).root;
  for (const part of parts) {
    cur = path.join(cur, part);
    const st = statOrNull(cur);
    if (st) {
      if (!st.isDirectory()) throw new UserError(`${what} ${dir}: ${cur} is a file, not a directory`);
      continue;
    }
    try {
      fs.mkdirSync(cur);
    } catch (e: any) {
      if (e?.code === "EEXIST" && fs.statSync(cur).isDirectory()) continue; // created meanwhile by another process
      throw new UserError(`${what} ${dir}: cannot create ${cur}: ${reasonOf(e)}`);
    }
  }
  checkWritable(abs, what, dir);
  return abs;
}

/**
 * Make sure `file` can be written as a regular file (its directory created as needed; an existing
 * file must be a regular, writable file). Returns the absolute path.
 */
export function ensureOutputFile(file: string, what = "output file"): string {
  if (file.trim() === "") throw new UserError(`${what} is empty`);
  const abs = path.resolve(file);
  refusePseudo(file, abs, what);
  if (file.endsWith("/") || file.endsWith(path.sep)) throw new UserError(`${what} ${file} names a directory; give a file name`);
  ensureOutputDir(path.dirname(abs), what);
  const st = statOrNull(abs);
  if (st) {
    if (st.isDirectory()) throw new UserError(`${what} ${file} is a directory; give a file name`);
    if (!st.isFile()) throw new UserError(`${what} ${file} is not a regular file`);
    checkWritable(abs, what, file);
  }
  return abs;
}

/**
 * Check an input path before reading it whole: it must exist and be a regular file or a pipe
 * (`<(…)`); a directory or a device (/dev/zero never ends) is refused. Returns false when it does not
 * exist and `missingOk`.
 */
export function checkInputFile(file: string, what = "input file", missingOk = false): boolean {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e: any) {
    if (e?.code === "ENOENT" && missingOk) return false;
    if (e?.code === "ENOENT") throw new UserError(`${what} ${file} does not exist`);
    throw new UserError(`cannot read ${file}: ${reasonOf(e)}`);
  }
  if (st.isDirectory()) throw new UserError(`${what} ${file} is a directory, not a file`);
  if (!st.isFile() && !st.isFIFO()) throw new UserError(`${what} ${file} is not a regular file`);
  return true;
}
