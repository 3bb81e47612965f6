"""The installed trainer set is the pinned one, and the two locks agree where they overlap."""

from importlib import metadata
from pathlib import Path

REQ = Path(__file__).resolve().parents[2] / "requirements"
# In the GPU set only (vLLM and what it brings) or deliberately left out of the CPU set (notes/trainer.md).
CPU_OMITTED = {"cuda-bindings", "cuda-pathfinder", "cuda-toolkit", "nvidia-cusolver", "nvidia-nvtx", "triton"}
# Versions that differ on purpose between the CPU set (Python 3.11) and the GPU set (Python 3.12).
PYTHON_SPECIFIC = {"networkx"}  # 3.7 needs Python >= 3.12


def pins(name: str) -> dict[str, str]:
    out = {}
    for line in (REQ / name).read_text().split("\n"):
        line = line.split("#")[0].strip()
        if line:
            pkg, sep, version = line.partition("==")
            assert sep, f"{name}: {line!r} is not an exact pin"
            out[pkg.lower().replace("_", "-").replace(".", "-")] = version
    return out


def test_the_cpu_set_is_installed_as_pinned():
    wrong = {}
    for pkg, version in pins("trainer-cpu.lock.txt").items():
        try:
            got = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            got = None
        if got != version:
            wrong[pkg] = (version, got)
    assert not wrong, f"pinned vs installed: {wrong} (run make setup-trainer)"


def test_cpu_and_gpu_locks_pin_the_same_versions():
    cpu, gpu = pins("trainer-cpu.lock.txt"), pins("trainer-gpu.lock.txt")
    assert {p: (v, gpu.get(p)) for p, v in cpu.items() if gpu.get(p) != v and p not in PYTHON_SPECIFIC} == {}
    assert not CPU_OMITTED & set(cpu)
    for key in ("torch", "transformers", "trl", "vllm", "deepspeed", "accelerate", "datasets"):
        assert key in gpu


def test_notebook_lock_and_trainer_locks_agree():
    nb = pins("notebooks.lock.txt")
    for lock in ("trainer-cpu.lock.txt", "trainer-gpu.lock.txt"):
        other = pins(lock)
        assert {p: (v, other[p]) for p, v in nb.items() if p in other and other[p] != v} == {}, lock
