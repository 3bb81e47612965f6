"""Execute the TypeScript notebooks top to bottom with the tslab kernel.

    .venv/bin/python scripts/run_notebooks.py [--profile ci] [NOTEBOOK ...]

Each notebook runs with PROFILE set in the kernel's environment. The executed copy goes to
results/<profile>/notebooks/<name>.ipynb and an HTML export beside it. The first failing cell stops
the run with a one-line message naming the notebook and the cell, and a non-zero exit.
"""
import argparse
import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from jupyter_client.kernelspec import NoSuchKernel
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
# The tslab kernel spec lives in a project-local Jupyter path (scripts/setup.sh writes it).
os.environ.setdefault("JUPYTER_PATH", str(ROOT / ".jupyter-local" / "share" / "jupyter"))
os.environ.setdefault("JUPYTER_RUNTIME_DIR", str(ROOT / ".jupyter-local" / "runtime"))


ERROR_LINE = re.compile(r"^([A-Z][A-Za-z]*Error|Error)(\s\[[A-Z_]+\])?:")


def cell_label(nb, index):
    src = "".join(nb.cells[index].source).strip().splitlines()
    first = src[0][:70] if src else ""
    return f"cell {index + 1} ({first!r})"


def failure_reason(cell, exc):
    """One line: the cell's error (ename: evalue), else its first stderr line (tslab type errors)."""
    outputs = cell.get("outputs", [])
    for o in outputs:
        if o.get("output_type") == "error":
            return f"{o.get('ename', 'Error')}: {o.get('evalue', '')}".strip().splitlines()[0]
    # tslab writes a thrown error to stderr as Node prints it: source location and stack first, the
    # message ("UserError: …", "Error: …") in between. Prefer that line; type errors are one line anyway.
    lines = [line.strip()
             for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"
             for line in "".join(o.get("text", "")).splitlines() if line.strip()]
    message = next((line for line in lines if ERROR_LINE.match(line)), None)
    if message or lines:
        return message or lines[0]
    return type(exc).__name__


def run_one(path: Path, profile: str, timeout: int) -> float:
    nb = nbformat.read(path, as_version=4)
    os.environ["PROFILE"] = profile  # the kernel inherits the environment
    client = NotebookClient(
        nb,
        kernel_name="tslab",
        timeout=timeout,
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.time()
    failed = None
    try:
        client.execute()
    except NoSuchKernel:
        raise SystemExit("no tslab kernel registered: run scripts/setup.sh (or make setup) first")
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
        # Find the failing cell: the first code cell with an error output, else the last executed.
        index = next(
            (i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and any(o.get("output_type") == "error" for o in c.get("outputs", []))),
            None,
        )
        if index is None:
            executed = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.get("execution_count")]
            index = executed[-1] if executed else 0
        failed = f"{path.name}: {cell_label(nb, index)} failed: {failure_reason(nb.cells[index], e)}"
    out_dir = ROOT / "results" / profile / "notebooks"
    out_dir.mkdir(parents=True, exist_ok=True)
    executed_path = out_dir / path.name
    tmp = executed_path.with_suffix(".ipynb.tmp")
    nbformat.write(nb, tmp)
    tmp.replace(executed_path)
    html, _ = HTMLExporter().from_notebook_node(nb)
    html_path = executed_path.with_suffix(".html")
    html_tmp = html_path.with_suffix(".html.tmp")
    html_tmp.write_text(html, encoding="utf-8")
    html_tmp.replace(html_path)
    if failed:
        raise SystemExit(f"notebook failed: {failed} (executed copy: {executed_path.relative_to(ROOT)})")
    return time.time() - started


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default=os.environ.get("PROFILE", "cpu"), choices=["ci", "cpu", "paper"])
    ap.add_argument("--timeout", type=int, default=3600, help="seconds per cell")
    ap.add_argument("notebooks", nargs="*", help="notebook paths (default: notebooks/*.ipynb)")
    args = ap.parse_args()
    paths = [Path(p).resolve() for p in args.notebooks] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not paths:
        raise SystemExit("no notebooks found under notebooks/")
    for p in paths:
        if not p.exists():
            raise SystemExit(f"no such notebook: {p}")
        print(f"[{args.profile}] {p.name} ...", flush=True)
        secs = run_one(p, args.profile, args.timeout)
        print(f"[{args.profile}] {p.name} ok in {secs:.1f}s", flush=True)


if __name__ == "__main__":
    main()
