/**
 * What a long workflow needs from the process around it, whatever its jobs: progress lines prefixed with
 * the job's place, worker processes (`stgrpo study … --part k/n`) whose progress is relayed, and a lock
 * file that keeps two runs off one results tree. The study and the comparison both run on these.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { UserError } from "../../util/errors";
import { REPO_ROOT } from "../../util/profile";
import type { ProgressSink } from "../../util/progress";

/** A sink that prefixes every line with the study's position (`study 3/40 train burger/sft-s0 · …`). */
export function prefixed(sink: ProgressSink, prefix: string): ProgressSink {
  return { update: (t) => sink.update(`${prefix} · ${t}`), done: (t) => sink.update(`${prefix} · ${t}`) };
}

/**
 * Run jobs of other workers in child processes (`stgrpo study --part k/n --config-file F`), relaying
 * their progress lines; rejects with the child's last stderr lines when one fails.
 */
export function spawnWorker(configFile: string, part: number, count: number, onLine: (line: string) => void, extraArgs: string[] = []): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, "bin", "stgrpo"), "study", ...extraArgs, "--part", `${part}/${count}`, "--config-file", configFile], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    const tail: string[] = [];
    let buf = "";
    child.stderr.on("data", (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split(/\r|\n/);
      buf = lines.pop() ?? "";
      for (const l of lines.filter((x) => x.trim())) {
        tail.push(l);
        if (tail.length > 5) tail.shift();
        onLine(l);
      }
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`study worker ${part}/${count} exited with ${code}: ${tail.join(" / ")}`))));
  });
}

/**
 * Hold `lockFile` (it holds the pid) while `f` runs. A lock whose process is gone is stale and taken
 * over; a live one is a UserError with `busy` (its `{pid}` filled in).
 */
export async function withLock<T>(lockFile: string, busy: string, f: () => Promise<T>): Promise<T> {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: "wx" });
      break;
    } catch (e: any) {
      if (e?.code !== "EEXIST") throw e;
      const pid = Number(fs.readFileSync(lockFile, "utf8"));
      let alive = false;
      try {
        alive = pid > 0 && pid !== process.pid && (process.kill(pid, 0), true);
      } catch {
        alive = false;
      }
      if (alive) throw new UserError(busy.replace("{pid}", String(pid)));
      fs.rmSync(lockFile, { force: true });
    }
  }
  try {
    return await f();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}
