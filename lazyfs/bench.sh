#!/usr/bin/env bash
# Throughput of lazyfs against the raw disk underneath it: mounts a lazyfs on a scratch directory and
# runs `bin/lazyfs bench` alternately on the plain backing disk and on the mount, ROUNDS times each
# (alternating, so both see the same background load), then prints the median of each figure.
# Usage: lazyfs/bench.sh [ROUNDS] [SECONDS_PER_WORKLOAD]   (needs root and /dev/fuse)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
lazyfs="$here/bin/lazyfs"
rounds=${1:-5}
seconds=${2:-1}
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
  "$lazyfs" bench --dir "$work/raw" --seconds "$seconds" | tail -n +2 | sed 's/^/raw|/' >>"$work/results"
  "$lazyfs" bench --dir "$work/mnt" --seconds "$seconds" | tail -n +2 | sed 's/^/lazyfs|/' >>"$work/results"
done
# Median per (target, workload) of ops/s, p50 and MiB/s; workload names are the first 34 columns.
python3 - "$work/results" "$rounds" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    target, rest = line.rstrip("\n").split("|", 1)
    name, figures = rest[:34].strip(), rest[34:].split()
    rows.setdefault(name, {}).setdefault(target, []).append(figures)
def med(values, i):
    xs = [float(v[i]) for v in values if v[i] != "-"]
    return "-" if not xs else f"{statistics.median(xs):.0f}" if i < 2 else f"{statistics.median(xs):.1f}"
print(f"| workload (median of {sys.argv[2]} rounds) | raw ops/s | lazyfs ops/s | raw p50 µs | lazyfs p50 µs | raw MiB/s | lazyfs MiB/s |")
print("|---|---|---|---|---|---|---|")
for name, by in rows.items():
    r, l = by["raw"], by["lazyfs"]
    print(f"| {name} | {med(r,0)} | {med(l,0)} | {med(r,1)} | {med(l,1)} | {med(r,2)} | {med(l,2)} |")
PY
