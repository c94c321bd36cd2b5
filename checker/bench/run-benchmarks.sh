#!/usr/bin/env bash
# The checker benchmark: figures, not a test. Each case runs in a fresh JVM with -Xmx2g so its peak heap
# is its own. Generated histories go to a temporary directory that is removed at the end.
#   checker/bench/run-benchmarks.sh [corpus|large|pathological]...   (default: all three)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
histories="${LEASEKV_HISTORIES:-$root/checker/testdata}"
(cd "$root" && mvn -B -q -pl checker -am install -DskipTests)
jar="$(ls "$root"/checker/target/leasekv-checker-*.jar | grep -v -e '-sources' -e '-tests' | head -n 1)"
work="$(mktemp -d /tmp/checker-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
jvm=(java -Xmx2g -Xms2g -XX:+UseParallelGC -cp "$jar" leasekv.checker.bench.Benchmark)
cases=("$@")
[[ ${#cases[@]} -eq 0 ]] && cases=(corpus large pathological)

echo "machine: $(nproc) vCPU, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -n 1)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for c in "${cases[@]}"; do
  case "$c" in
    corpus)
      /usr/bin/time -f "  cpu %U s user + %S s sys, max RSS %M KiB" "${jvm[@]}" corpus "$histories" ;;
    large)
      # 1,000 keys x 1,000 invocations, 10 processes per key, 5% :info: ~2M history entries.
      "${jvm[@]}" generate cas-register 1000 10 1000 0.05 42 "$work/large.edn"
      /usr/bin/time -f "  cpu %U s user + %S s sys, max RSS %M KiB" "${jvm[@]}" check cas-register nil 60 "$work/large.edn"
      rm -f "$work/large.edn" ;;
    pathological)
      # One key, 100,000 invocations by 20 threads, 30% of ops crash: thousands of crashed ops pending.
      "${jvm[@]}" generate cas-register 1 20 100000 0.3 7 "$work/pathological.edn"
      /usr/bin/time -f "  cpu %U s user + %S s sys, max RSS %M KiB" "${jvm[@]}" check cas-register nil 30 "$work/pathological.edn"
      # The same history with one late read returning nil (absent): refuting it is an exhaustive search.
      "${jvm[@]}" generate cas-register 1 20 100000 0.3 7 "$work/pathological-invalid.edn" 0.9
      /usr/bin/time -f "  cpu %U s user + %S s sys, max RSS %M KiB" "${jvm[@]}" check cas-register nil 30 "$work/pathological-invalid.edn"
      rm -f "$work"/pathological*.edn ;;
    *) echo "unknown case $c" >&2; exit 2 ;;
  esac
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
