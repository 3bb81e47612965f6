#!/usr/bin/env bash
# `make image-check`: the Dockerfile built and tested on a machine without Docker or a registry.
#   1. the GPU lock checked as a resolution for the image's Python (scripts/check-gpu-lock.sh);
#   2. stand-in base images made locally, once (scripts/image-bases.sh);
#   3. the Dockerfile built by podman from them with the CPU trainer set (chroot isolation: no
#      daemon, no user namespaces), layers cached, so an unchanged rerun only runs the tests;
#   4. `make test` run inside the built image with `buildah run` (`podman run` needs rlimits that
#      sandboxes refuse), without the site's headless-browser checks (NO_BROWSER=1: no Chromium package).
# Needs root, podman, buildah and debootstrap (Debian: apt-get install podman buildah debootstrap).
# The CA bundle of a TLS-intercepting proxy ($SSL_CERT_FILE, if set) is mounted into the build
# read-only and named to npm, pip and uv; it never enters the image.
set -euo pipefail
cd "$(dirname "$0")/.."
IMAGE=${IMAGE:-localhost/stgrpo:image-check}
for tool in podman buildah debootstrap; do
  command -v "$tool" >/dev/null || { echo "image-check: $tool is not installed" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "image-check: podman's chroot isolation needs root" >&2; exit 1; }
step() { echo "== image-check [$((SECONDS / 60))m$((SECONDS % 60))s] $*" >&2; }

step "GPU lock as a Python 3.12 resolution"
scripts/check-gpu-lock.sh

step "stand-in base images"
{ read -r base_image; read -r node_image; } < <(scripts/image-bases.sh)

step "podman build (CPU trainer set) → $IMAGE"
build=(--isolation chroot --network host --layers
  --build-arg CUDA_IMAGE="$base_image" --build-arg NODE_IMAGE="$node_image"
  --build-arg STGRPO_TRAINER=cpu)
if [ -n "${SSL_CERT_FILE:-}" ]; then
  ca=/run/build-ca.crt
  build+=(--volume "$SSL_CERT_FILE:$ca:ro" --build-arg NODE_EXTRA_CA_CERTS=$ca
    --build-arg PIP_CERT=$ca --build-arg SSL_CERT_FILE=$ca)
fi
previous=$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
podman build "${build[@]}" -t "$IMAGE" .
current=$(podman image inspect --format '{{.Id}}' "$IMAGE")
# The previous build's image, now untagged; its layers that the new one shares stay.
if [ -n "$previous" ] && [ "$previous" != "$current" ]; then podman rmi "$previous" >/dev/null 2>&1 || true; fi

step "make test inside the image"
container=$(buildah from "$IMAGE")
trap 'buildah rm "$container" >/dev/null' EXIT
buildah run --isolation chroot "$container" -- java -version 2>&1 | sed -n 1p
# NO_BROWSER=1: Ubuntu 24.04 ships Chromium only as a snap, so the site's headless-browser checks are
# skipped in the image (and say so); they run in every CI run on the host.
buildah run --isolation chroot --env NO_BROWSER=1 "$container" -- make test

size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
step "passed: $IMAGE is $((size / 1000000)) MB"
