import test from "ava";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gpuStatus, requireGpu } from "../lib/trainer-client/gpu";
import { UserError } from "../lib/util/errors";

/** A directory holding executable stand-ins (this machine has no NVIDIA driver to run for real). */
function binDir(scripts: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stgrpo-gpu-"));
  for (const [name, body] of Object.entries(scripts)) {
    fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  }
  return dir;
}
const envWith = (dir: string) => ({ ...process.env, PATH: `${dir}:/usr/bin:/bin`, PROFILE: "paper" });

test("requireGpu fails fast in the paper profile when nvidia-smi is absent, in one line", (t) => {
  const env = envWith(binDir({}));
  const err = t.throws(() => requireGpu({ env }), { instanceOf: UserError });
  t.regex(err!.message, /^the paper profile needs a CUDA GPU: nvidia-smi not found/);
  t.regex(err!.message, /docker run --gpus all/);
  t.false(err!.message.includes("\n"));
});

test("requireGpu requires nothing in the ci and cpu profiles unless forced", (t) => {
  const env = envWith(binDir({}));
  t.is(requireGpu({ env, profile: "ci" }), null);
  t.is(requireGpu({ env, profile: "cpu" }), null);
  t.throws(() => requireGpu({ env, profile: "cpu", force: true }), { message: /cpu profile needs a CUDA GPU/ });
});

test("a driver with a CPU-only torch is not a usable GPU", (t) => {
  const dir = binDir({
    "nvidia-smi": 'echo "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-0)"',
    python: 'echo "0 0 None"',
  });
  const s = gpuStatus({ env: envWith(dir), python: path.join(dir, "python") });
  t.deepEqual(s.gpus, ["GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-0)"]);
  t.is(s.torchCuda, false);
  t.regex(s.problem!, /torch.cuda is not available \(a CPU-only torch build/);
});

test("a driver and a CUDA torch pass, with the device count", (t) => {
  const dir = binDir({
    "nvidia-smi": 'echo "GPU 0: A"; echo "GPU 1: B"',
    python: 'echo "1 2 12.8"',
  });
  const s = requireGpu({ env: envWith(dir), python: path.join(dir, "python") });
  t.deepEqual(s, { gpus: ["GPU 0: A", "GPU 1: B"], torchCuda: true, torchDevices: 2, problem: null });
});

test("a missing trainer venv and a failing nvidia-smi are named", (t) => {
  const dir = binDir({ "nvidia-smi": 'echo "NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver" >&2; exit 9' });
  t.regex(gpuStatus({ env: envWith(dir) }).problem!, /nvidia-smi failed \(NVIDIA-SMI has failed/);
  const ok = binDir({ "nvidia-smi": 'echo "GPU 0: A"' });
  t.regex(gpuStatus({ env: envWith(ok), python: "/nonexistent/python" }).problem!, /no trainer Python at \/nonexistent\/python/);
});
