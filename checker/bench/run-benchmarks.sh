#!/usr/bin/env bash
# The checker benchmark: figures, not a test. Each case runs in a fresh JVM with -Xmx2g so its peak heap
# is its own. Generated histories go to a temporary directory that is removed at the end.
#   checker/bench/run-benchmarks.sh [corpus|etcd|large|pathological|crash|crash-1m]...
#     (default: corpus large pathological crash crash-1m; etcd needs ETCD_LOGS=DIR, Porcupine's test_data/jepsen)
# Time it under the machine-wide lock: flock /tmp/leasekv-heavy.lock checker/bench/run-benchmarks.sh
# COMPARE_WITH=CMD runs `CMD FILE.jsonl` after each crash case, on the same ops as JSON lines (for a
# side-by-side run of another checker kept outside this repository).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
histories="${LEASEKV_HISTORIES:-$root/checker/testdata}"
(cd "$root" && mvn -B -q -pl checker -am install -DskipTests)
jar="$(ls "$root"/checker/target/leasekv-checker-*.jar | grep -v -e '-sources' -e '-tests' | head -n 1)"
work="$(mktemp -d /tmp/checker-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
jvm=(java -Xmx2g -Xms2g -XX:+UseParallelGC -XX:TieredStopAtLevel=1 -cp "$jar" leasekv.checker.bench.Benchmark)
cases=("$@")
[[ ${#cases[@]} -eq 0 ]] && cases=(corpus large pathological crash crash-1m)
timed=(/usr/bin/time -f "  wall %e s, cpu %U s user + %S s sys, max RSS %M KiB")

# crash_case NAME KNOB=VALUE...: a kill/power-loss shaped history (Benchmark crash-history), checked in a fresh JVM.
crash_case() {
  local name="$1"; shift
  local json=()
  [[ -n "${COMPARE_WITH:-}" ]] && json=("jsonl=$work/$name.jsonl")
  "${jvm[@]}" crash-history "$work/$name.edn" "$@" "${json[@]}"
  "${timed[@]}" "${jvm[@]}" check cas-register nil 60 "$work/$name.edn"
  if [[ -n "${COMPARE_WITH:-}" ]]; then
    $COMPARE_WITH "$work/$name.jsonl" || true
  fi
  rm -f "$work/$name.edn" "$work/$name.jsonl"
}

echo "machine: $(nproc) vCPU, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -n 1)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for c in "${cases[@]}"; do
  case "$c" in
    corpus)
      "${timed[@]}" "${jvm[@]}" corpus "$histories" ;;
    large)
      # 1,000 keys x 1,000 invocations, 10 processes per key, 5% :info: ~2M history entries.
      "${jvm[@]}" generate cas-register 1000 10 1000 0.05 42 "$work/large.edn"
      "${timed[@]}" "${jvm[@]}" check cas-register nil 60 "$work/large.edn"
      rm -f "$work/large.edn" ;;
    pathological)
      # One key, 100,000 invocations by 20 threads, 30% of ops crash: thousands of crashed ops pending.
      "${jvm[@]}" generate cas-register 1 20 100000 0.3 7 "$work/pathological.edn"
      "${timed[@]}" "${jvm[@]}" check cas-register nil 30 "$work/pathological.edn"
      # The same history with one late read returning nil (absent): refuting it is an exhaustive search.
      "${jvm[@]}" generate cas-register 1 20 100000 0.3 7 "$work/pathological-invalid.edn" 0.9
      "${timed[@]}" "${jvm[@]}" check cas-register nil 30 "$work/pathological-invalid.edn"
      rm -f "$work"/pathological*.edn ;;
    etcd)
      "${timed[@]}" "${jvm[@]}" etcd "${ETCD_LOGS:?set ETCD_LOGS to the test_data/jepsen directory of Porcupine}" ;;
    crash)
      # Kill and power-loss shape: 5% of ops crashed (half took effect, most of those read right after),
      # unique values per key, 5 processes per key; linearizable, then with one stale, lost-write or nil read.
      crash_case crash-100k-valid keys=100 processes=5 invocations=1000
      crash_case crash-100k-stale keys=100 processes=5 invocations=1000 mutation=stale-read
      crash_case crash-100k-lost keys=100 processes=5 invocations=1000 mutation=lost-write
      crash_case crash-100k-nil keys=100 processes=5 invocations=1000 mutation=nil-read
      # One hot key: 100,000 invocations by 20 processes, 10% crashed.
      crash_case crash-hot-key keys=1 processes=20 invocations=100000 crash=0.1 ;;
    crash-1m)
      # 1,000 keys x 1,000 invocations, 10 processes per key: ~2M history entries, 174 MiB of EDN.
      crash_case crash-1m-valid keys=1000 processes=10 invocations=1000
      crash_case crash-1m-stale keys=1000 processes=10 invocations=1000 mutation=stale-read ;;
    *) echo "unknown case $c" >&2; exit 2 ;;
  esac
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
