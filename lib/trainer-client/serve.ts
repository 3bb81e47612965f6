/**
 * Serve a checkpoint (or any hub model) on an OpenAI-compatible endpoint for evaluation, through
 * `python -m trainer serve` (trainer/serve.py): `vllm serve` on GPU, a small transformers server on
 * CPU. Returns the endpoint and the model name to hand to lib/agent's `EndpointPolicy`:
 *
 *   const served = await serveModel({ model: grpo.final, name: "grpo" });
 *   const policy = new EndpointPolicy({ endpoint: served.endpoint, model: served.model, prompt: DATASET_PROMPT_CONFIG });
 *   …
 *   await served.stop();
 */
import type { ChildProcess } from "node:child_process";
import { UserError } from "../util/errors";
import { failureLine, onLines, spawnTrainer } from "./run";

export interface ServeOptions {
  /** A trained model directory (a run's `final`) or a hub id (`Qwen/Qwen2.5-7B-Instruct`). */
  model: string;
  /** The name /v1/models reports and requests must use (default: `model`). */
  name?: string;
  host?: string;
  /** 0 (default): a free port, reported back. */
  port?: number;
  /** auto (default): vLLM when CUDA and vLLM are there, else transformers. */
  backend?: "auto" | "transformers" | "vllm";
  /** Extra `vllm serve` flags (`["--max-model-len", "8192"]`). */
  extra?: string[];
  seed?: number;
  python?: string;
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the server to answer /v1/models (default 15 min: vLLM loads and compiles). */
  readyTimeoutMs?: number;
}

export interface ServedModel {
  /** `http://host:port` — EndpointPolicy's `endpoint`. */
  endpoint: string;
  /** `http://host:port/v1` — for OpenAI clients. */
  url: string;
  /** The served model name — EndpointPolicy's `model`. */
  model: string;
  backend: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export function serveArgs(opts: ServeOptions): string[] {
  const args = ["-m", "trainer", "serve", "--model", opts.model, "--host", opts.host ?? "127.0.0.1", "--port", String(opts.port ?? 0)];
  if (opts.name) args.push("--name", opts.name);
  if (opts.backend) args.push("--backend", opts.backend);
  if (opts.seed !== undefined) args.push("--seed", String(opts.seed));
  if (opts.extra?.length) args.push("--", ...opts.extra);
  return args;
}

/** Stop a child: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Start serving and wait until the server answers GET /v1/models with the model's name. */
export async function serveModel(opts: ServeOptions): Promise<ServedModel> {
  const child = spawnTrainer(serveArgs(opts), opts);
  const stderr: string[] = [];
  onLines(child.stderr!, (l) => {
    stderr.push(l);
    if (stderr.length > 200) stderr.shift();
  });
  const exited = new Promise<never>((_, reject) => {
    child.once("exit", (code, signal) =>
      reject(new UserError(`model server for ${opts.model} exited (${signal ?? `exit ${code}`}) before serving: ${failureLine(stderr)}`)),
    );
    child.once("error", (e) => reject(new UserError(`cannot start the model server: ${e.message}`)));
  });
  exited.catch(() => undefined);
  const announced = new Promise<{ endpoint: string; url: string; model: string; backend: string }>((resolve) => {
    onLines(child.stdout!, (line) => {
      try {
        const ev = JSON.parse(line);
        if (ev && ev.event === "serving") resolve(ev);
      } catch {
        stderr.push(line);
      }
    });
  });
  const timeoutMs = opts.readyTimeoutMs ?? 15 * 60_000;
  const deadline = Date.now() + timeoutMs;
  const timeout = new Promise<never>((_, reject) => {
    const t = setTimeout(() => reject(new UserError(`model server for ${opts.model} not ready within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    t.unref();
  });
  try {
    const ev = await Promise.race([announced, exited, timeout]);
    await Promise.race([waitForModels(ev.endpoint, ev.model, deadline), exited, timeout]);
    return { ...ev, child, stop: () => stopChild(child) };
  } catch (e) {
    await stopChild(child, 2000);
    throw e;
  }
}

async function waitForModels(endpoint: string, model: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      const res = await fetch(`${endpoint}/v1/models`, { signal: AbortSignal.timeout(5000) });
      if (res.ok) {
        const body: any = await res.json();
        if (Array.isArray(body?.data) && body.data.some((m: any) => m?.id === model)) return;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) return; // the caller's timeout reports it
    await new Promise((r) => setTimeout(r, 500));
  }
}
