#!/usr/bin/env bash
# Sourced by ansible/tests/run: a Debian root filesystem for provisioning tests, built once with debootstrap and
# cached as a tarball (EDGE_TEST_CACHE, default ~/.cache/edgeline), then unpacked fresh for every test host.
set -euo pipefail

EDGE_TEST_CACHE="${EDGE_TEST_CACHE:-$HOME/.cache/edgeline}"
ROOTFS_SUITE="${ROOTFS_SUITE:-bookworm}"
ROOTFS_MIRROR="${ROOTFS_MIRROR:-http://deb.debian.org/debian}"

# rootfs_tarball_arm64: the same for an arm64 Debian 13 (trixie), the base of current Raspberry Pi OS. Built with
# mmdebstrap, which unpacks and resolves packages natively and runs only the maintainer scripts under emulation
# (about 5 minutes here; debootstrap's second stage under qemu had not finished after 20).
rootfs_tarball_arm64() {
  local tarball="$EDGE_TEST_CACHE/mmdebstrap-trixie-arm64-v2.tar" build  # v2: keeps apt's lists
  if [[ ! -s "$tarball" ]]; then
    mkdir -p "$EDGE_TEST_CACHE"
    build="$(mktemp -d "$EDGE_TEST_CACHE/build.XXXXXX")"
    echo "rootfs: mmdebstrap trixie (arm64) into $tarball (first run only)" >&2
    # The package lists stay (as debootstrap leaves them): apt's cache counts as fresh by its directory's time, and
    # the role updates it once it is a day old.
    mmdebstrap --arch=arm64 --variant=minbase --skip=cleanup/apt/lists \
      --include=systemd,systemd-sysv,python3,python3-apt,ca-certificates,apt-utils \
      trixie "$build/root.tar" "$ROOTFS_MIRROR" >"$build.log" 2>&1 \
      || { tail -20 "$build.log" >&2; rm -rf "$build" "$build.log"; return 1; }
    mv "$build/root.tar" "$tarball"
    rm -rf "$build" "$build.log"
  fi
  echo "$tarball"
}

# rootfs_enable_arm64_emulation: arm64 programs run here through qemu-user-static, registered with binfmt_misc
# (mounted first if it is not).
rootfs_enable_arm64_emulation() {
  mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  [[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]] || update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 \
    || update-binfmts --import qemu-aarch64 >/dev/null 2>&1 || true
  grep -q '^enabled' /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null
}

rootfs_tarball() { # prints the cached tarball's path, building it first if needed
  local arch tarball build
  arch="$(dpkg --print-architecture)"
  tarball="$EDGE_TEST_CACHE/debootstrap-$ROOTFS_SUITE-$arch-v2.tar"  # v2: with python3-apt
  if [[ ! -s "$tarball" ]]; then
    mkdir -p "$EDGE_TEST_CACHE"
    build="$(mktemp -d "$EDGE_TEST_CACHE/build.XXXXXX")"
    echo "rootfs: debootstrap $ROOTFS_SUITE ($arch) into $build (first run only; cached as $tarball)" >&2
    debootstrap --variant=minbase --include=systemd,systemd-sysv,python3,python3-apt,ca-certificates,apt-utils \
      "$ROOTFS_SUITE" "$build/root" "$ROOTFS_MIRROR" >"$build.log" 2>&1 \
      || { tail -20 "$build.log" >&2; rm -rf "$build"; return 1; }
    tar -C "$build/root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
    rm -rf "$build" "$build.log"
  fi
  echo "$tarball"
}

# rootfs_unpack DIR [mount-point] [arm64]: a fresh root filesystem in DIR with /proc mounted and daemons kept from
# starting (arm64: the emulated trixie one).
# With mount-point, DIR is bind-mounted on itself first, so that inside the chroot "/" is a mount point, as on a real
# device: the JDK's FileStore (free disk space) looks its path up in /proc/self/mounts.
rootfs_unpack() {
  local dir="$1"
  mkdir -p "$dir"
  if [[ "${2:-}" == mount-point ]]; then mount --bind "$dir" "$dir"; fi
  if [[ "${3:-}" == arm64 ]]; then tar -C "$dir" -xf "$(rootfs_tarball_arm64)"; else tar -C "$dir" -xf "$(rootfs_tarball)"; fi
  printf '#!/bin/sh\nexit 101\n' > "$dir/usr/sbin/policy-rc.d"
  chmod 755 "$dir/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$dir/etc/resolv.conf"
  mount -t proc proc "$dir/proc"
}

# rootfs_cleanup DIR: unmounts what rootfs_unpack mounted and removes DIR.
rootfs_cleanup() {
  local dir="$1"
  if mountpoint -q "$dir/proc"; then umount "$dir/proc"; fi
  if mountpoint -q "$dir"; then umount "$dir"; fi
  rm -rf --one-file-system "$dir"
}
