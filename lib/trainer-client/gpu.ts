/**
 * Is a CUDA GPU visible to the trainer? The paper profile trains Qwen2.5-1.5B-Instruct and serves
 * models with vLLM, which needs one; without it the profile must stop at once with one clear line
 * (docs/design.md, "Profiles": never fake results). Two checks, cheapest first: the driver (`nvidia-smi -L`), then
 * the trainer's own torch (`torch.cuda.is_available()` in the project venv), because a driver
 * without a CUDA build of torch (or a container started without `--gpus all`) trains nothing.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { UserError } from "../util/errors";
import { currentProfile, Profile, REPO_ROOT } from "../util/profile";

export interface GpuStatus {
  /** Lines of `nvidia-smi -L` ("GPU 0: NVIDIA H100 … (UUID: …)"); empty when none. */
  gpus: string[];
  /** torch.cuda.is_available() in the trainer's Python; null when that was not reached. */
  torchCuda: boolean | null;
  /** torch.cuda.device_count(); 0 when unknown. */
  torchDevices: number;
  /** Why no GPU is usable, in one line; null when a GPU is usable. */
  problem: string | null;
}

/** The trainer's Python: $STGRPO_PYTHON, else the project venv that scripts/setup.sh fills. */
export function trainerPython(env: NodeJS.ProcessEnv = process.env): string {
  return env.STGRPO_PYTHON ?? path.join(REPO_ROOT, ".venv", "bin", "python");
}

/** Look for a GPU without throwing. `env` is passed to the child processes (PATH decides nvidia-smi). */
export function gpuStatus(opts: { python?: string; env?: NodeJS.ProcessEnv } = {}): GpuStatus {
  const env = opts.env ?? process.env;
  const python = opts.python ?? trainerPython(env);
  const smi = spawnSync("nvidia-smi", ["-L"], { env, encoding: "utf8", timeout: 30_000 });
  if (smi.error || smi.status !== 0) {
    const why = smi.error ? "nvidia-smi not found" : `nvidia-smi failed (${oneLine(smi.stderr || smi.stdout)})`;
    return { gpus: [], torchCuda: null, torchDevices: 0, problem: `${why}: no NVIDIA driver or GPU is visible` };
  }
  const gpus = smi.stdout.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("GPU"));
  if (gpus.length === 0) return { gpus, torchCuda: null, torchDevices: 0, problem: "nvidia-smi lists no GPU" };
  if (!fs.existsSync(python)) {
    return { gpus, torchCuda: null, torchDevices: 0, problem: `no trainer Python at ${python} (run STGRPO_TRAINER=gpu scripts/setup.sh)` };
  }
  const probe = "import torch; print(int(torch.cuda.is_available()), torch.cuda.device_count(), torch.version.cuda)";
  const py = spawnSync(python, ["-c", probe], { env, encoding: "utf8", timeout: 120_000 });
  if (py.error || py.status !== 0) {
    return { gpus, torchCuda: null, torchDevices: 0, problem: `torch does not import in ${python} (${oneLine(py.stderr)})` };
  }
  const [ok, count, cuda] = py.stdout.trim().split(/\s+/);
  if (ok !== "1") {
    const build = cuda === "None" ? "a CPU-only torch build" : `torch CUDA ${cuda}`;
    return { gpus, torchCuda: false, torchDevices: 0, problem: `torch.cuda is not available (${build}; install the GPU set: STGRPO_TRAINER=gpu scripts/setup.sh)` };
  }
  return { gpus, torchCuda: true, torchDevices: Number(count), problem: null };
}

/**
 * Fail fast in the paper profile when no GPU is usable: a UserError with one line saying what is
 * missing and what to do. In the ci and cpu profiles (which run on CPU by design) nothing is
 * required and the status is only returned; `force: true` checks whatever the profile.
 */
export function requireGpu(
  opts: { profile?: Profile; force?: boolean; python?: string; env?: NodeJS.ProcessEnv } = {},
): GpuStatus | null {
  const profile = opts.profile ?? currentProfile(opts.env);
  if (profile !== "paper" && !opts.force) return null;
  const status = gpuStatus(opts);
  if (status.problem !== null) {
    throw new UserError(
      `the ${profile} profile needs a CUDA GPU: ${status.problem}. ` +
        `Run it in the container with \`docker run --gpus all …\` (README "GPU"), or use PROFILE=cpu.`,
    );
  }
  return status;
}

function oneLine(s: string | null | undefined): string {
  const lines = (s ?? "").trim().split("\n").filter((l) => l.trim());
  return (lines[lines.length - 1] ?? "no output").trim().slice(0, 200);
}
