#!/usr/bin/env bash
# The GPU lock (requirements/trainer-gpu.lock.txt) checked where its wheels cannot be installed:
# as a resolution for the image's Python 3.12 on manylinux x86_64 (glibc 2.39, Ubuntu 24.04), with
# the pinned uv and the package index (hence in `make image-check`, not in the offline `make test`).
#   1. closed and consistent: resolving the lock itself yields exactly the lock;
#   2. installable: every pin has a wheel for that platform, DeepSpeed excepted (it is sdist-only and
#      is built in the image). Both are dry runs: nothing is downloaded beyond metadata.
set -euo pipefail
cd "$(dirname "$0")/.."
lock=requirements/trainer-gpu.lock.txt
target=(--python-version 3.12 --python-platform x86_64-manylinux_2_39)
[ -x .venv/bin/uv ] || { echo "check-gpu-lock: .venv/bin/uv is missing (run make setup-trainer)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

.venv/bin/uv pip compile -q "$lock" "${target[@]}" --no-header --no-annotate -o "$tmp/resolved.txt"
if ! grep -v '^#' "$lock" | grep . | diff - "$tmp/resolved.txt" > "$tmp/diff"; then
  echo "check-gpu-lock: $lock is not a closed resolution for Python 3.12 (< lock, > resolved):" >&2
  cat "$tmp/diff" >&2
  exit 1
fi
.venv/bin/uv pip install -q --dry-run --no-deps "${target[@]}" --target "$tmp/site" \
  --only-binary :all: --no-binary deepspeed -r "$lock"
echo "check-gpu-lock: $lock resolves for Python 3.12 / manylinux_2_39 x86_64 ($(grep -c '==' "$lock") pins, wheels for all but deepspeed)"
