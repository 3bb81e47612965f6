# stgrpo with GPUs: the paper profile (Qwen2.5-1.5B-Instruct SFT + GRPO with TRL and vLLM, baselines
# served by vLLM, Tables 1–4). Its setup is scripts/setup.sh with STGRPO_TRAINER=gpu — the same
# script `make` and CI run — so the image holds exactly the pinned sets in requirements/.
#
#   docker build -t stgrpo .
#   docker run --gpus all --ipc=host -e HF_TOKEN -v $HOME/.cache/huggingface:/root/.cache/huggingface \
#     -v $PWD/results:/work/stgrpo/results -v $PWD/paper-figures:/work/stgrpo/paper-figures stgrpo
#
# The default command is `make reproduce PROFILE=paper`. See README "GPU" for Jupyter, multi-GPU and
# multi-node use. `make image-check` builds this file without Docker or a registry (podman, local
# stand-in bases, the CPU trainer set) and runs `make test` in the result.

# torch 2.13.0 from PyPI is built for CUDA 13.0 and brings its own CUDA libraries as wheels; the
# devel image adds the driver-facing runtime and nvcc for the kernels vLLM/FlashInfer compile at run
# time. The host needs an NVIDIA driver for CUDA 13.0 (R580 or newer) and the NVIDIA container toolkit.
ARG CUDA_IMAGE=nvidia/cuda:13.0.1-devel-ubuntu24.04
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS node

FROM ${CUDA_IMAGE}
ENV DEBIAN_FRONTEND=noninteractive \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# Python 3.12 (Ubuntu 24.04's; the GPU lock is resolved for it), a compiler for triton/vLLM JIT
# and for DeepSpeed's sdist, git and make; a Java 17 runtime for CookingWorld (TextWorldExpress).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv python3-dev build-essential git make ca-certificates curl \
      openjdk-17-jdk-headless \
 && rm -rf /var/lib/apt/lists/*
# Node 20 from the official image (Ubuntu's nodejs is 18).
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version

WORKDIR /work/stgrpo
# The trainer set: gpu (vLLM, the paper profile) or cpu (what `make image-check` builds and tests).
ARG STGRPO_TRAINER=gpu
# Behind a TLS-intercepting proxy, mount its CA bundle into the build (`--volume FILE:PATH:ro`,
# never copied into the image) and name PATH in these three; unset, each tool uses its own roots.
ARG NODE_EXTRA_CA_CERTS
ARG PIP_CERT
ARG SSL_CERT_FILE
# Download caches live in build cache mounts, not in the image (uv copies out of them).
ARG UV_LINK_MODE=copy
# Dependencies first, so that code changes do not reinstall them (the setup script needs only these).
COPY package.json package-lock.json ./
COPY requirements ./requirements
COPY scripts/setup.sh ./scripts/setup.sh
# The CookingWorld engine's JVM main is compiled by the setup (against the pinned textworld-express jar).
COPY lib/cookingworld/jvm ./lib/cookingworld/jvm
RUN --mount=type=cache,target=/root/.cache --mount=type=cache,target=/root/.npm \
    scripts/setup.sh
# The project; the same script again finds everything installed and only rewrites the kernel spec.
COPY . .
RUN scripts/setup.sh \
 && ln -sf /work/stgrpo/bin/stgrpo /usr/local/bin/stgrpo

ENV PATH=/work/stgrpo/.venv/bin:/work/stgrpo/node_modules/.bin:$PATH \
    JUPYTER_PATH=/work/stgrpo/.jupyter-local/share/jupyter \
    PROFILE=paper
EXPOSE 8888 8000
CMD ["make", "reproduce", "PROFILE=paper"]
