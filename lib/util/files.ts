import * as fs from "node:fs";
import { UserError } from "./errors";
import { checkInputFile, ensureOutputFile, reasonOf } from "./paths";

/**
 * Write a whole file so that a reader never sees half of it: write to a temp name beside the
 * target, fsync, then rename (atomic on POSIX). A full disk fails before the old file is touched.
 * The target is checked first (lib/util/paths.ts): a bad path is a one-line UserError.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  ensureOutputFile(file);
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  try {
    const fd = fs.openSync(tmp, "w");
    try {
      fs.writeSync(fd, data as any);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new UserError(`cannot write ${file}: ${reasonOf(e)}`);
  }
}

/**
 * Read a whole input file as text, with a one-line error naming it (missing, a directory, a device
 * such as /dev/zero that would never end).
 */
export function readInputFile(file: string, what = "file"): string {
  checkInputFile(file, what);
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UserError(`cannot read ${file}: ${reasonOf(e)}`);
  }
}

/** Read and parse a JSON file, with a one-line error naming the file on failure. */
export function readJsonFile<T = unknown>(file: string): T {
  if (!checkInputFile(file, "file", true)) throw new UserError(`cannot read ${file}: ${reasonOf({ code: "ENOENT" })}`);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UserError(`cannot read ${file}: ${reasonOf(e)}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (e: any) {
    throw new UserError(`${file} is not valid JSON: ${e.message}`);
  }
}

/** A JSONL file's records, and the unterminated, unparsable last line a killed writer left (if any). */
export interface JsonlContents<T> {
  records: T[];
  /** 1-based line number and length of a torn last line, ignored. */
  torn: { line: number; bytes: number } | null;
}

/**
 * Read a JSONL file, reporting a torn last line. A missing file is empty; a path that is not a
 * regular file (a device, a directory) is a one-line error. A malformed line other than the last is
 * an error naming its line number.
 */
export function readJsonlContents<T = unknown>(file: string): JsonlContents<T> {
  if (!checkInputFile(file, "JSONL file", true)) return { records: [], torn: null };
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const records: T[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    try {
      records.push(JSON.parse(line) as T);
    } catch (e: any) {
      const isLast = lines.slice(i + 1).every((l) => !l.trim());
      if (isLast) return { records, torn: { line: i + 1, bytes: Buffer.byteLength(lines[i]) } };
      throw new UserError(`${file}:${i + 1} is not valid JSON: ${e.message}`);
    }
  }
  return { records, torn: null };
}

/**
 * Read a JSONL file. A missing file is empty. A torn last line (a run killed mid-write) is
 * ignored so the run can resume; a malformed line elsewhere is an error naming its line number.
 */
export function readJsonl<T = unknown>(file: string): T[] {
  return readJsonlContents<T>(file).records;
}

/**
 * Append records to a JSONL file, one line each, fsynced, so a killed run loses at most the
 * record being written. A torn last line left by an earlier crash is first cut off.
 */
export function appendJsonl(file: string, records: unknown[]): void {
  ensureOutputFile(file);
  try {
    repairTornTail(file);
    const fd = fs.openSync(file, "a");
    try {
      fs.writeSync(fd, records.map((r) => JSON.stringify(r) + "\n").join(""));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot append to ${file}: ${reasonOf(e)}`);
  }
}

/**
 * Drop an unterminated last line (a crash mid-append) so appends start on a fresh line. Only the
 * file's tail is read (never the whole file), and only of a regular file (ensureOutputFile checked).
 */
function repairTornTail(file: string): void {
  const size = fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  if (size === 0) return;
  const fd = fs.openSync(file, "r");
  try {
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, size - 1);
    if (last[0] === 0x0a) return;
    // Walk back in chunks to the last newline: the torn line is at most one record long.
    const chunk = Buffer.alloc(64 * 1024);
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - chunk.length);
      const n = fs.readSync(fd, chunk, 0, end - start, start);
      const k = chunk.subarray(0, n).lastIndexOf(0x0a);
      if (k >= 0) {
        fs.truncateSync(file, start + k + 1);
        return;
      }
      end = start;
    }
    fs.truncateSync(file, 0);
  } finally {
    fs.closeSync(fd);
  }
}
