/**
 * Run `bin/stgrpo` as a user does — a child process with real pipes — with a kill timeout, so a hang
 * fails the test (as `timedOut`) instead of hanging the suite.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";

export const BIN = path.resolve(__dirname, "..", "..", "bin", "stgrpo");
export const REPO = path.resolve(__dirname, "..", "..");

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Killed after `killAfterMs`: it hung. */
  timedOut: boolean;
}

export interface CliOptions {
  stdin?: string;
  env?: Record<string, string>;
  /** SIGKILL after this long (default 90 s: generous on 2 loaded cores; a hang is minutes, not seconds). */
  killAfterMs?: number;
}

/** Spawn a command with a kill timeout, collecting its output. */
export function runProcess(command: string, args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: REPO, env: { ...process.env, HF_TOKEN: "", ...opts.env } });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, opts.killAfterMs ?? 90_000);
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.stdin.on("error", () => undefined); // a command that exits before reading all of stdin
    child.stdin.end(opts.stdin ?? "");
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, timedOut });
    });
  });
}

/** `stgrpo ARGS` with a kill timeout. */
export function runStgrpo(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return runProcess(process.execPath, [BIN, ...args], opts);
}

/** A shell pipeline (bash -c), with a kill timeout. */
export function runShell(script: string, opts: CliOptions = {}): Promise<CliResult> {
  return runProcess("bash", ["-o", "pipefail", "-c", script], opts);
}

/** Run `jobs` with at most `width` at once (spawned processes on a small machine). */
export async function inBatches<T>(jobs: (() => Promise<T>)[], width: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, jobs.length) }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]();
      }
    }),
  );
  return out;
}

/** A Node stack frame line ("    at f (file:1:2)"): never on stderr for a user mistake. */
export const STACK_FRAME = /^\s+at .+(\(.*:\d+:\d+\)|:\d+:\d+)$/m;
