#!/usr/bin/env bash
# Throughput of lazyfs against the raw disk underneath it: mounts a lazyfs on a scratch directory and
# runs `bin/lazyfs bench` alternately on the plain backing disk and on the mount, ROUNDS times each.
# Usage: lazyfs/bench.sh [ROUNDS] [SECONDS_PER_WORKLOAD]   (needs root and /dev/fuse)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
lazyfs="$here/bin/lazyfs"
rounds=${1:-3}
seconds=${2:-3}
work=$(mktemp -d /var/tmp/lazyfs-bench-XXXXXX)
pid=
cleanup() {
  "$lazyfs" umount --mount "$work/mnt" >/dev/null 2>&1 || true
  if [ -n "$pid" ]; then wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/raw"
"$lazyfs" mount --backing "$work/backing" --mount "$work/mnt" --control "$work/ctl.sock" >"$work/mount.log" 2>&1 &
pid=$!
for _ in $(seq 1 150); do
  "$lazyfs" ctl --control "$work/ctl.sock" ping >/dev/null 2>&1 && break
  sleep 0.2
done
echo "# $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ), $seconds s per workload"
for round in $(seq 1 "$rounds"); do
  echo "## round $round: raw disk"
  "$lazyfs" bench --dir "$work/raw" --seconds "$seconds"
  echo "## round $round: lazyfs"
  "$lazyfs" bench --dir "$work/mnt" --seconds "$seconds"
done
