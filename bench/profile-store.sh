#!/usr/bin/env bash
# CPU profile of a three-node leasekv cluster under load (docs/performance.md, "Profiles").
#
#   bench/profile-store.sh [--fsm-sync-mode nosync|sync] [--read-mode lease|read-index]
#                          [--op set|get] [--clients N] [--seconds N] [--warmup-seconds N]
#                          [--event cpu|alloc] [--out DIR]
#
# Starts three nodes on loopback (127.0.42.1-3; no root needed), writes every key once, drives the
# leader with redis-benchmark for --warmup-seconds unprofiled (the JIT compiles the hot paths then),
# then profiles every node (CPU, or with --event alloc the bytes allocated) with async-profiler (tools.profiler:async-profiler from Maven Central,
# attached with jcmd) for --seconds of the same load. Writes each node's collapsed stacks (flame
# graph input) and summary.txt (CPU by thread kind, the hottest frames) to results/profile/<time>/.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mode=nosync read=lease op=set clients=64 seconds=10 warmup=8 event=cpu out=
while [ $# -gt 0 ]; do
  case "$1" in
    --fsm-sync-mode) mode=$2; shift 2 ;;
    --read-mode) read=$2; shift 2 ;;
    --op) op=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --warmup-seconds) warmup=$2; shift 2 ;;
    --event) event=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "profile-store: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$op" in set|get) ;; *) echo "profile-store: --op must be set or get, was $op" >&2; exit 2 ;; esac
case "$event" in cpu) ap_start="start,event=cpu,interval=1ms" ap_stop=collapsed unit="samples, 1 ms of CPU each" ;;
  alloc) ap_start="start,event=alloc" ap_stop=collapsed,total unit="bytes allocated, sampled" ;;
  *) echo "profile-store: --event must be cpu or alloc, was $event" >&2; exit 2 ;; esac
for v in "$clients" "$seconds" "$warmup"; do
  [[ "$v" =~ ^[1-9][0-9]*$ ]] || { echo "profile-store: --clients, --seconds and --warmup-seconds take positive integers, got $v" >&2; exit 2; }
done
for tool in redis-benchmark redis-cli jcmd; do
  command -v "$tool" >/dev/null || { echo "profile-store: $tool is missing (apt-get install redis-tools; jcmd comes with the JDK)" >&2; exit 2; }
done

jar=${LEASEKV_STORE_JAR:-$here/store/node/target/leasekv-store.jar}
[ -f "$jar" ] || (cd "$here" && mvn -B -q -pl store/node -am install -DskipTests) >&2
case "$(uname -m)" in x86_64) arch=linux-x64 ;; aarch64) arch=linux-arm64 ;; *) echo "profile-store: no async-profiler for $(uname -m)" >&2; exit 2 ;; esac
ap_version=4.1
ap_jar=$HOME/.m2/repository/tools/profiler/async-profiler/$ap_version/async-profiler-$ap_version.jar
[ -f "$ap_jar" ] || mvn -B -q dependency:get -Dartifact=tools.profiler:async-profiler:$ap_version >&2
lib_dir=$here/store/node/target/async-profiler
lib=$lib_dir/$arch/libasyncProfiler.so
[ -f "$lib" ] || (mkdir -p "$lib_dir" && cd "$lib_dir" && jar xf "$ap_jar" "$arch/libasyncProfiler.so")

out=${out:-$here/results/profile/$(date -u +%Y%m%dT%H%M%S)-$event-$mode-$read-$op-c$clients}
data=$(mktemp -d /var/tmp/leasekv-profile.XXXXXX)
mkdir -p "$out"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$data"
}
trap cleanup EXIT INT TERM

host() { echo "127.0.42.$1"; }
peers="n1=$(host 1):7000:6379,n2=$(host 2):7000:6379,n3=$(host 3):7000:6379"
for i in 1 2 3; do
  java -Xms512m -Xmx1g -XX:+UseG1GC -jar "$jar" --id "n$i" --peers "$peers" --data-dir "$data/n$i" \
    --client-addr "$(host $i):6379" --peer-addr "$(host $i):7000" --metrics-addr "$(host $i):9100" \
    --fsm-sync-mode "$mode" --read-mode "$read" > "$out/n$i.log" 2>&1 &
  pids+=($!)
done
leader=
for _ in $(seq 1 300); do
  for i in 1 2 3; do
    [ "$(redis-cli -h "$(host $i)" -p 6379 role 2>/dev/null | head -1)" = leader ] && { leader=$i; break 2; }
  done
  sleep 0.1
done
[ -n "$leader" ] || { echo "profile-store: no leader within 30 s; logs in $out" >&2; exit 1; }
lh=$(host "$leader")
echo "leader n$leader ($mode, $read reads); writing every key, then $warmup s of warm-up" >&2
redis-benchmark -h "$lh" -p 6379 -t set -d 256 -r 10000 -n 30000 -c 16 -q > /dev/null

# redis-benchmark runs a request count, not a time: size each phase from the warm-up's rate.
bench() { # $1 = requests; prints "requests/s"
  timeout $((seconds + warmup + 60)) redis-benchmark -h "$lh" -p 6379 -t "$op" -d 256 -r 10000 -n "$1" -c "$clients" -q \
    | tr '\r' '\n' | grep -Eo '[0-9.]+ requests per second' | tail -1
}
warm_rate=$(bench $((clients * 200)) | cut -d' ' -f1)
bench "$(awk -v r="$warm_rate" -v s="$warmup" 'BEGIN { printf "%d", r * s }')" > /dev/null
for i in 1 2 3; do jcmd "${pids[$((i - 1))]}" JVMTI.agent_load "$lib" "\"$ap_start\"" > /dev/null; done
rate=$(bench "$(awk -v r="$warm_rate" -v s="$seconds" 'BEGIN { printf "%d", r * s }')")
for i in 1 2 3; do
  jcmd "${pids[$((i - 1))]}" JVMTI.agent_load "$lib" "\"stop,file=$out/n$i.collapsed,$ap_stop\"" > /dev/null
done

summarize() { # $1 = collapsed stacks of one node
  awk -v unit="$unit" '
    { n = $NF; $NF = ""; total += n; s = $0
      kind = "other"
      if (s ~ /CompileBroker|C2Compiler|C1Compiler/) kind = "jit compiler"
      else if (s ~ /G1|GCTaskThread|WorkerThread::run|ConcurrentGCThread/) kind = "gc"
      else if (s ~ /leasekv\/node\/RaftLoop/) kind = "raft loop (step, WAL, send)"
      else if (s ~ /leasekv\/node\/Applier/) kind = "apply loop (RocksDB)"
      else if (s ~ /EventLoop|EpollIoHandler/) kind = "netty event loops (RESP, peers)"
      else if (s ~ /rocksdb::/) kind = "rocksdb background"
      kinds[kind] += n
      k = split(s, f, ";"); leaf = f[k]; sub(/ +$/, "", leaf); self[leaf] += n }
    END {
      printf "total: %d (%s)\n", total, unit
      for (k in kinds) printf "  %5.1f%%  %s\n", 100 * kinds[k] / total, k | "sort -rn"
      close("sort -rn")
      print "hottest frames (self time):"
      for (k in self) printf "  %5.1f%%  %s\n", 100 * self[k] / total, substr(k, 1, 120) | "sort -rn | head -25"
      close("sort -rn | head -25")
    }' "$1"
}
{
  echo "leasekv $event profile: $op, $clients clients, fsm $mode, $read reads; $seconds s profiled after $warmup s of warm-up"
  echo "throughput while profiled: $rate (warm-up: $warm_rate requests per second)"
  echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
  for i in 1 2 3; do
    echo; echo "== n$i$([ "$i" = "$leader" ] && echo ' (leader)')"
    summarize "$out/n$i.collapsed"
  done
} | tee "$out/summary.txt"
echo "profile-store: collapsed stacks and summary in $out" >&2
