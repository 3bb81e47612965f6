/**
 * A job queue that several processes work through together: each takes the first job that is not
 * done, whose dependencies are done and that no other live process has claimed (a claim file
 * `<claims>/<job>.claim` holding its pid, created exclusively), runs it, and goes on. A process that
 * finds only jobs waiting on others' work waits for them. A claim whose process is gone is stale and
 * taken over, so an interrupted run resumes wherever it stopped.
 *
 * Why not the study's split by task: the comparison's jobs differ in cost by 50× (the double cheese
 * burger's on-policy run against a Cheese Sandwich evaluation); a shared queue keeps both cores busy
 * to the end. Every job is deterministic, so which process runs it changes nothing but the timings.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { appendJsonl } from "../../util/files";
import type { ProgressSink } from "../../util/progress";

export interface QueueJob {
  id: string;
  stage: string;
  /** Ids of the jobs that must be done first. */
  deps: string[];
  done: () => boolean;
  run: (progress: ProgressSink) => Promise<void>;
}

export interface QueueOptions {
  /** Directory of the claim files (shared by the processes). */
  claims: string;
  /** JSONL that gets every finished job's wall time. */
  timings: string;
  /** This process's name in the timings (`w0`, `w1`, …). */
  worker: string;
  progress: (job: QueueJob, index: number) => ProgressSink;
  /** Stop after this many jobs ran here (an interruption, for tests). */
  stopAfterJobs?: number;
  /** How long to wait before looking again when every open job waits on another process (ms). */
  pollMs?: number;
}

const claimFile = (dir: string, id: string) => path.join(dir, `${id.replace(/[^\w.-]+/g, "_")}.claim`);

function alive(pid: number): boolean {
  if (!(pid > 0)) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: any) {
    return e?.code === "EPERM";
  }
}

/** Claim a job for this process; false when a live process holds it. A stale claim is taken over. */
function claim(dir: string, id: string): boolean {
  const f = claimFile(dir, id);
  for (;;) {
    try {
      fs.writeFileSync(f, String(process.pid), { flag: "wx" });
      return true;
    } catch (e: any) {
      if (e?.code !== "EEXIST") throw e;
      let pid = 0;
      try {
        pid = Number(fs.readFileSync(f, "utf8"));
      } catch {
        continue; // released meanwhile: try again
      }
      if (alive(pid)) return false;
      fs.rmSync(f, { force: true });
    }
  }
}

/** Remove the claims of processes that are gone (a killed earlier run). */
export function clearStaleClaims(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) {
    const f = path.join(dir, name);
    const pid = Number(fs.readFileSync(f, "utf8"));
    if (!alive(pid)) fs.rmSync(f, { force: true });
  }
}

/**
 * Work through `jobs` (in order, each after its dependencies) with whatever other processes share the
 * claims directory. Returns the ids this process ran and found done; `finished` false when stopped by
 * `stopAfterJobs`.
 */
export async function runQueue(jobs: QueueJob[], opts: QueueOptions): Promise<{ ran: string[]; skipped: string[]; finished: boolean }> {
  fs.mkdirSync(opts.claims, { recursive: true });
  const byId = new Map(jobs.map((j) => [j.id, j]));
  for (const j of jobs) for (const d of j.deps) if (!byId.has(d)) throw new Error(`job ${j.id} depends on ${d}, which is not a job`);
  const done = new Set<string>();
  const isDone = (j: QueueJob) => done.has(j.id) || (j.done() && (done.add(j.id), true));
  const ran: string[] = [];
  const skipped = jobs.filter((j) => isDone(j)).map((j) => j.id);
  for (;;) {
    const open = jobs.filter((j) => !isDone(j));
    if (open.length === 0) return { ran, skipped, finished: true };
    if (opts.stopAfterJobs !== undefined && ran.length >= opts.stopAfterJobs) return { ran, skipped, finished: false };
    const job = open.find((j) => j.deps.every((d) => isDone(byId.get(d)!)) && claim(opts.claims, j.id));
    if (!job) {
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
      continue;
    }
    try {
      // Another process may have finished it between our look and our claim.
      if (!job.done()) {
        const t0 = Date.now();
        const cpu0 = process.cpuUsage();
        await job.run(opts.progress(job, jobs.indexOf(job) + 1));
        const seconds = (Date.now() - t0) / 1000;
        // CPU seconds too: on a machine others share, wall time says more about them than about the job.
        const used = process.cpuUsage(cpu0);
        const cpu = Math.round((used.user + used.system) / 1e3) / 1e3;
        appendJsonl(opts.timings, [{ job: job.id, stage: job.stage, seconds, cpu, worker: opts.worker, load1: Math.round(os.loadavg()[0] * 100) / 100, finished_at: new Date().toISOString() }]);
        ran.push(job.id);
      }
      done.add(job.id);
    } finally {
      fs.rmSync(claimFile(opts.claims, job.id), { force: true });
    }
  }
}
