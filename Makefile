# stgrpo — the two commands: `make reproduce` (cpu profile) and `make test` (ci profile).
# Each does its own idempotent setup first (scripts/setup.sh, shared with CI and the Dockerfile).
SHELL := /bin/bash
PROFILE ?= cpu
export JUPYTER_PATH := $(CURDIR)/.jupyter-local/share/jupyter
export JUPYTER_RUNTIME_DIR := $(CURDIR)/.jupyter-local/runtime
export JUPYTER_PLATFORM_DIRS := 1
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: setup setup-trainer setup-browser layers test test-unit test-trainer test-notebooks test-site reproduce site site-check notebooks typecheck bench clean lab image-check

setup:
	@scripts/setup.sh

setup-trainer:
	@STGRPO_TRAINER=cpu scripts/setup.sh

setup-browser:
	@STGRPO_BROWSER=1 scripts/setup.sh

# Twice: strict with the project's TypeScript, and as tslab's own compiler (TS 5.0, not strict) sees
# lib when a notebook imports it — narrowing that only strict mode accepts breaks the notebooks.
# (node_modules/.bin/tsc is tslab's 5.0, not the pinned compiler: name each one by its path.)
TSC := node node_modules/typescript/bin/tsc
TSC_TSLAB := node node_modules/@tslab/typescript-for-tslab/bin/tsc
typecheck: setup
	$(TSC) -p tsconfig.json
	$(TSC_TSLAB) -p tsconfig.tslab.json

## make test: type check, unit tests (ava), then every notebook top to bottom in the ci profile, then
## their site checked in headless Chromium.
test: setup-trainer setup-browser
	$(TSC) -p tsconfig.json
	$(TSC_TSLAB) -p tsconfig.tslab.json
	$(MAKE) --no-print-directory layers
	npx tsx scripts/notebooks.ts --check
	npx tsx scripts/readme.ts --check
	npx ava
	$(MAKE) --no-print-directory test-trainer
	$(MAKE) --no-print-directory test-notebooks
	$(MAKE) --no-print-directory test-site

## make test-trainer: the Python trainer's unit tests (pytest, CPU, offline). Its end-to-end smoke
## (TS dataset → SFT → GRPO → served checkpoint → episode) is the ava test test/trainer-e2e.test.ts.
## One thread: on 2 shared cores torch's second thread makes the tiny model ~10× slower.
test-trainer: setup-trainer
	OMP_NUM_THREADS=1 HF_HUB_OFFLINE=1 .venv/bin/python -m pytest -q -p no:cacheprovider trainer/tests

test-notebooks:
	.venv/bin/python scripts/run_notebooks.py --profile ci

## make test-site: the ci notebooks' site (after test-notebooks), every page opened in headless Chromium.
test-site:
	npx tsx scripts/site.ts --profile ci
	@if [ -n "$$NO_BROWSER" ]; then echo "test-site: the headless-browser check is skipped (NO_BROWSER=1)"; else npx tsx scripts/site-check.ts --profile ci; fi

## make reproduce: the whole CPU-scale study (cpu profile) — notebooks 01…09 in order, then their site and
## the README's findings block (written from the tracked summaries; make test checks it is fresh).
reproduce: setup
	.venv/bin/python scripts/run_notebooks.py --profile $(PROFILE)
	npx tsx scripts/site.ts --profile $(PROFILE)
	@if [ "$(PROFILE)" = cpu ]; then npx tsx scripts/readme.ts; fi

## make site: the static site of $(PROFILE)'s executed notebooks (docs/site/ for cpu, tracked; else
## results/<profile>/site/). make site-check: open it in headless Chromium, screenshot the index.
site:
	npx tsx scripts/site.ts --profile $(PROFILE)

site-check: setup-browser
	npx tsx scripts/site-check.ts --profile $(PROFILE)

notebooks:
	npx tsx scripts/notebooks.ts

## make layers: no import cycle between files, and lib's modules import only lower layers
## (scripts/layers.cjs holds the layers; .dependency-cruiser.cjs the rules).
layers:
	npx depcruise --config .dependency-cruiser.cjs lib cli

## make lab: JupyterLab on the notebooks with the tslab kernel, on 127.0.0.1 only; open the URL it
## prints (token included). LAB_PORT picks the port (Jupyter tries the next ones when it is taken).
## As root (the image, a container) Jupyter wants --allow-root: loopback and a token keep it private.
LAB_PORT ?= 8888
lab: setup
	.venv/bin/jupyter lab --no-browser --ip 127.0.0.1 --port $(LAB_PORT) --ServerApp.root_dir=notebooks \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

## make image-check: build the Dockerfile with podman from locally made stand-in bases (Ubuntu 24.04
## for the CUDA image, Node 20 from npm) and the CPU trainer set, then run make test inside it.
## Not in CI: it takes a while (README "GPU"). Needs root, podman, buildah and debootstrap.
image-check: setup
	scripts/image-check.sh

bench: setup
	@for b in bench/*.ts; do echo "== $$b"; npx tsx $$b; done

clean:
	rm -rf results/ci .stamps
