#!/usr/bin/env bash
# Idempotent setup shared by `make`, CI (.ci/run → make test) and the Dockerfile, so all three
# exercise the same steps. Installs nothing globally: node_modules/, .venv/ and a project-local
# Jupyter path (.jupyter-local/) that holds the tslab kernel spec.
#
#   scripts/setup.sh            # node deps + notebook venv + kernel
#   STGRPO_TRAINER=cpu scripts/setup.sh   # also the Python trainer (CPU set, for tests)
#   STGRPO_TRAINER=gpu scripts/setup.sh   # also the Python trainer (GPU set with vLLM, Docker)
#   STGRPO_BROWSER=1 scripts/setup.sh     # also Chromium (Debian's package) for the site's browser test
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
STAMPS=.stamps
mkdir -p "$STAMPS"
PYTHON=${PYTHON:-python3}

# Re-run a step only when its inputs changed: the stamp holds the inputs' checksum.
fresh() { # fresh NAME FILE... → 0 when the stamp matches
  local sum; sum=$(cat "${@:2}" | sha256sum | cut -d' ' -f1)
  [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$sum" ]
}
stamp() { cat "${@:2}" | sha256sum | cut -d' ' -f1 > "$STAMPS/$1"; }

if ! fresh npm package-lock.json || [ ! -d node_modules ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error
  stamp npm package-lock.json
fi

if ! fresh venv requirements/notebooks.lock.txt || [ ! -x .venv/bin/python ]; then
  echo "setup: python venv for the notebook runner" >&2
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check --no-deps -r requirements/notebooks.lock.txt
  stamp venv requirements/notebooks.lock.txt
fi

# JupyterLab (`make lab`) into the same venv, the complete pinned set, --no-deps. With the pinned uv,
# like the trainer below: pip takes ~30 s for its ~90 wheels, uv ~3 s with an empty cache.
UV_VERSION=0.13.9
uv_install() { # uv_install LOCK: the lock's exact pins into .venv, nothing else
  .venv/bin/pip install -q --disable-pip-version-check --no-deps "uv==$UV_VERSION"
  .venv/bin/uv pip install -q --python .venv/bin/python --no-deps -r "$1"
}
if ! fresh lab requirements/lab.lock.txt || [ ! -x .venv/bin/jupyter-lab ]; then
  echo "setup: jupyterlab" >&2
  uv_install requirements/lab.lock.txt
  stamp lab requirements/lab.lock.txt
fi

# CookingWorld (notes/cookingworld.md): the textworld-express package in the same venv (its Python API is
# the reference the tests and the bench compare against) and our JVM main, compiled against the package's
# own jar into build/cookingworld/ (ignored; nothing compiled is committed). javac is needed, not only java.
if ! command -v java >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
  echo "setup: CookingWorld needs a Java 17+ JDK (java and javac on PATH; Debian/Ubuntu: apt-get install openjdk-17-jdk-headless)" >&2
  exit 1
fi
CW_SOURCES=(lib/cookingworld/jvm/*.java)
CW_BUILD=build/cookingworld
if ! fresh cookingworld requirements/cookingworld.lock.txt "${CW_SOURCES[@]}" || [ ! -f "$CW_BUILD/sources.sha256" ]; then
  echo "setup: CookingWorld engine (textworld-express + JVM main)" >&2
  .venv/bin/pip install -q --disable-pip-version-check --no-deps -r requirements/cookingworld.lock.txt
  jar=$(.venv/bin/python -c 'import importlib.util, os; print(os.path.join(os.path.dirname(importlib.util.find_spec("textworld_express").origin), "textworld-express.jar"))')
  [ -f "$jar" ] || { echo "setup: textworld-express installed without its jar ($jar)" >&2; exit 1; }
  rm -rf "$CW_BUILD.tmp" && mkdir -p "$CW_BUILD.tmp"
  javac -nowarn --release 17 -encoding UTF-8 -cp "$jar" -d "$CW_BUILD.tmp/classes" "${CW_SOURCES[@]}"
  echo "$jar" > "$CW_BUILD.tmp/jar-path.txt"
  sha256sum "${CW_SOURCES[@]}" > "$CW_BUILD.tmp/sources.sha256"   # the client refuses classes built from other sources
  rm -rf "$CW_BUILD" && mv "$CW_BUILD.tmp" "$CW_BUILD"
  stamp cookingworld requirements/cookingworld.lock.txt "${CW_SOURCES[@]}"
fi

# The Python trainer (trainer/, notes/trainer.md) goes into the same venv, exact pins, --no-deps.
# uv rather than pip for it: the set is several GB of wheels (torch and the CUDA libraries its
# PyPI build links), and uv's parallel downloads take a fresh install from ~3 min to ~1 min on 2 cores.
case "${STGRPO_TRAINER:-}" in
  cpu|gpu)
    lock=requirements/trainer-${STGRPO_TRAINER}.lock.txt
    if [ -f "$lock" ] && { ! fresh "trainer-$STGRPO_TRAINER" "$lock" || [ ! -x .venv/bin/uv ]; }; then
      echo "setup: python trainer ($STGRPO_TRAINER set)" >&2
      uv_install "$lock"
      stamp "trainer-$STGRPO_TRAINER" "$lock"
    fi ;;
  "") ;;
  *) echo "setup: STGRPO_TRAINER must be cpu or gpu, got '$STGRPO_TRAINER'" >&2; exit 1 ;;
esac

# Chromium for the site's browser test (make test): the OS package (the one global install), not
# Playwright's own browser download, which comes from outside the package registries. Skipped when present.
# NO_BROWSER=1 (make image-check in its Ubuntu image, where Chromium is a snap only) skips it, and the
# browser checks say they were skipped.
if [ -n "${NO_BROWSER:-}" ]; then
  [ -n "${STGRPO_BROWSER:-}" ] && echo "setup: no Chromium (NO_BROWSER=1): the site's browser checks are skipped" >&2
elif [ -n "${STGRPO_BROWSER:-}" ] && [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "setup: chromium (apt-get)" >&2
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "setup: the browser test needs Chromium: install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM to its binary" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# The tslab kernel spec, in a project-local Jupyter path (make exports JUPYTER_PATH to it).
KDIR=.jupyter-local/share/jupyter/kernels/tslab
mkdir -p "$KDIR"
cat > "$KDIR/kernel.json.tmp" <<JSON
{"argv": ["$ROOT/node_modules/.bin/tslab", "kernel", "--config-path", "{connection_file}"],
 "display_name": "TypeScript", "language": "typescript"}
JSON
mv "$KDIR/kernel.json.tmp" "$KDIR/kernel.json"
