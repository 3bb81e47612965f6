import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "./errors";

/**
 * Write a whole file so that a reader never sees half of it: write to a temp name beside the
 * target, fsync, then rename (atomic on POSIX). A full disk fails before the old file is touched.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  const fd = fs.openSync(tmp, "w");
  try {
    fs.writeSync(fd, data as any);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** Read and parse a JSON file, with a one-line error naming the file on failure. */
export function readJsonFile<T = unknown>(file: string): T {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e: any) {
    throw new UserError(`cannot read ${file}: ${e.code ?? e.message}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (e: any) {
    throw new UserError(`${file} is not valid JSON: ${e.message}`);
  }
}

/**
 * Read a JSONL file. A missing file is empty. A torn last line (a run killed mid-write) is
 * ignored so the run can resume; a malformed line elsewhere is an error naming its line number.
 */
export function readJsonl<T = unknown>(file: string): T[] {
  if (!fs.existsSync(file)) return [];
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const out: T[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch (e: any) {
      const isLast = lines.slice(i + 1).every((l) => !l.trim());
      if (isLast) break;
      throw new UserError(`${file}:${i + 1} is not valid JSON: ${e.message}`);
    }
  }
  return out;
}

/**
 * Append records to a JSONL file, one line each, fsynced, so a killed run loses at most the
 * record being written. A torn last line left by an earlier crash is first cut off.
 */
export function appendJsonl(file: string, records: unknown[]): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  repairTornTail(file);
  const fd = fs.openSync(file, "a");
  try {
    fs.writeSync(fd, records.map((r) => JSON.stringify(r) + "\n").join(""));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Drop an unterminated last line (a crash mid-append) so appends start on a fresh line. */
function repairTornTail(file: string): void {
  if (!fs.existsSync(file)) return;
  const text = fs.readFileSync(file, "utf8");
  if (text === "" || text.endsWith("\n")) return;
  const cut = text.lastIndexOf("\n") + 1;
  fs.truncateSync(file, Buffer.byteLength(text.slice(0, cut)));
}
