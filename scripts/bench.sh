#!/usr/bin/env bash
# kvs against etcd on this machine, one system at a time, with the same load generator
# (kvs-bench), and BENCHMARKS.md written from the run.
#
#   scripts/bench.sh            # the full run (about 50 minutes), writes BENCHMARKS.md
#   scripts/bench.sh --smoke    # kvs only, a few seconds per workload, no etcd, no file: for CI
#
# Options: --seconds N (measured part of each run, default 10), --warmup N (unmeasured start of
# each run, default 3), --jvm-warmup N (most seconds of load on a fresh kvs cluster before its
# first measured run, until the JIT has compiled the hot path, default 360), --big-keys N (keys
# for the view change timing, default 1000000; 0 skips it).
#
# etcd: Debian's etcd-server (installed if missing), 3 members on 127.0.0.31-33, data in
# BENCH-RESULTS/etcd, default settings (the WAL is fsynced before a write is acknowledged).
# kvs: ./kvs-local clusters of 3 nodes K=3, 6 nodes K=3 and 4 nodes K=2 on 127.0.0.11-16, data
# in BENCH-RESULTS/kvs-*, default settings (a write is acknowledged once a majority fsynced it).
# Both on the same disk. Workloads: put, get (linearizable on both), mixed (50% reads), each at
# 1, 16 and 64 clients, 10,000 keys, 100-byte values.
set -euo pipefail

cd "$(dirname "$0")/.."
SECONDS_PER_RUN=10
WARMUP=3
JVM_WARMUP=360
BIG_KEYS=1000000
SMOKE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) SMOKE=1 ;;
    --seconds) SECONDS_PER_RUN="$2"; shift ;;
    --warmup) WARMUP="$2"; shift ;;
    --jvm-warmup) JVM_WARMUP="$2"; shift ;;
    --big-keys) BIG_KEYS="$2"; shift ;;
    *) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
  shift
done

LOG_TAG=bench
. scripts/bench-lib.sh
RESULTS="$OUT/results.jsonl"

# Samples the largest single-process RSS of the given pids every second until stopped; prints it.
sample_peak_rss() {
  local file="$1"
  shift
  echo 0 >"$file"
  while true; do
    local now
    now="$(max_rss_mb "$@" 2>/dev/null || echo 0)"
    [ "$now" -gt "$(cat "$file")" ] && echo "$now" >"$file"
    sleep 1
  done
}

endpoints_of() { local n="$1" i list=""; for i in $(seq 1 "$n"); do list="$list${list:+,}127.0.0.$((10 + i)):8080"; done; echo "$list"; }

# run_matrix LABEL TARGET ENDPOINTS PIDS...: the servers' pids, for the RSS sample and for what
# they spend (CPU, allocation) on each measured part
run_matrix() {
  local label="$1" target="$2" endpoints="$3" workload clients pids
  shift 3
  pids="$(echo "$@" | tr ' ' ',')"
  for workload in put get mixed; do
    for clients in 1 16 64; do
      log "$label: $workload, $clients clients"
      local peak="$OUT/peak-rss"
      if [ "$workload" = put ] && [ "$clients" = 64 ] && [ $# -gt 0 ]; then
        sample_peak_rss "$peak" "$@" &
        local sampler=$!
      fi
      bench --target "$target" --endpoints "$endpoints" --label "$label" --workload "$workload" \
        --clients "$clients" --seconds "$SECONDS_PER_RUN" --warmup-seconds "$WARMUP" --server-pids "$pids" >>"$RESULTS"
      if [ -n "${sampler:-}" ]; then
        kill "$sampler" 2>/dev/null || true
        wait "$sampler" 2>/dev/null || true
        sampler=""
        echo "$label|RSS of the largest process under 64-client writes|$(cat "$peak") MB" >>"$OUT/facts"
      fi
    done
  done
}

# ------------------------------------------------------------------------------- build

# The smoke run follows `mvn verify` in ./kvs-test: the jars are there already.
if [ "$SMOKE" = 0 ] || [ ! -f "$BENCH_JAR" ] || [ ! -f "$ROOT/kvs-http/target/kvs.jar" ]; then
  log "building kvs.jar and kvs-bench.jar"
  mkdir -p "$OUT"
  mvn -B -q -DskipTests package >"$OUT/build.log" 2>&1 || { tail -n 30 "$OUT/build.log" >&2; die "build failed"; }
fi
# The nodes' class archive, made now so that no cluster start below includes its training run.
./kvs-local prepare

if [ "$SMOKE" = 1 ]; then
  # A small cluster, every workload for a moment: the load generator and its targets work.
  dir="$(mktemp -d)"
  trap 'KVS_LOCAL_DIR="$dir" ./kvs-local down >/dev/null 2>&1; rm -rf "$dir"' EXIT
  KVS_LOCAL_DIR="$dir" ./kvs-local up 3 3 >/dev/null || { tail -n 20 "$dir"/*.log >&2; die "smoke: the cluster did not start"; }
  for workload in put get mixed; do
    line="$(bench --target kvs --endpoints "$(endpoints_of 3)" --workload "$workload" --clients 4 \
      --keys 200 --seconds 2 --warmup-seconds 1 2>/dev/null)"
    echo "$line"
    ops="$(echo "$line" | sed -n 's/.*"ops":\([0-9]*\).*/\1/p')"
    errors="$(echo "$line" | sed -n 's/.*"errors":\([0-9]*\).*/\1/p')"
    [ "${ops:-0}" -gt 0 ] && [ "${errors:-1}" = 0 ] || die "smoke: $workload: $line"
  done
  log "smoke: PASS"
  exit 0
fi

rm -rf "$OUT"
mkdir -p "$OUT"
: >"$RESULTS"
: >"$OUT/facts"

# -------------------------------------------------------------------------------- etcd

install_etcd "$OUT/apt.log"
ETCD_VERSION="$(etcd --version | sed -n 1p)"
KVS_DIRS=()
cleanup() {
  stop_etcd || true
  for d in "${KVS_DIRS[@]}"; do KVS_LOCAL_DIR="$d" ./kvs-local down >/dev/null 2>&1 || true; done
}
trap cleanup EXIT

log "etcd: 3 members"
t0=$(date +%s%N)
start_etcd "$OUT/etcd" kvs-bench
echo "etcd|3 members started to first write|$(( ($(date +%s%N) - t0) / 1000000 )) ms" >>"$OUT/facts"
sleep 2
echo "etcd|RSS of the largest idle member|$(max_rss_mb "${ETCD_PIDS[@]}") MB" >>"$OUT/facts"
run_matrix etcd etcd "127.0.0.31:2379,127.0.0.32:2379,127.0.0.33:2379" "${ETCD_PIDS[@]}"
stop_etcd

# --------------------------------------------------------------------------------- kvs

# One node alone: process start to its first accepted write (median of 3 fresh starts).
dir="$OUT/kvs-1x1"
KVS_DIRS+=("$dir")
log "kvs 1 node K=1: start to serving, 3 times"
for _ in 1 2 3; do
  t0=$(date +%s%N)
  KVS_LOCAL_DIR="$dir" ./kvs-local up 1 1 >/dev/null
  echo $(( ($(date +%s%N) - t0) / 1000000 ))
  KVS_LOCAL_DIR="$dir" ./kvs-local down --wipe >/dev/null
done | sort -n | sed -n 2p | sed 's/^/kvs 1 node K=1|process start to a write accepted (median of 3)|/; s/$/ ms/' >>"$OUT/facts"

for shape in "3 3" "6 3" "4 2"; do
  read -r n k <<<"$shape"
  label="kvs $n nodes K=$k"
  dir="$OUT/kvs-${n}x$k"
  KVS_DIRS+=("$dir")
  log "$label: starting"
  t0=$(date +%s%N)
  KVS_LOCAL_DIR="$dir" ./kvs-local up "$n" "$k" >/dev/null
  echo "$label|cluster started to a write accepted by every partition|$(( ($(date +%s%N) - t0) / 1000000 )) ms" >>"$OUT/facts"
  listening="$(grep -ho 'after [0-9]* ms' "$dir"/*.log | awk '{ print $2 }' | sort -n | tail -n1)"
  echo "$label|slowest node: process start to HTTP listening|$listening ms" >>"$OUT/facts"
  sleep 2
  # shellcheck disable=SC2046
  echo "$label|RSS of the largest idle node, fresh|$(max_rss_mb $(pids_of "$dir")) MB" >>"$OUT/facts"
  log "$label: JIT warm-up, up to $JVM_WARMUP s of mixed load"
  # shellcheck disable=SC2046
  warmed="$(warm_jit "$(endpoints_of "$n")" $(pids_of "$dir"))"
  echo "$label|JIT warm-up before the runs (mixed load, 64 clients)|$warmed s" >>"$OUT/facts"
  # shellcheck disable=SC2046
  run_matrix "$label" kvs "$(endpoints_of "$n")" $(pids_of "$dir")
  sleep 5
  # shellcheck disable=SC2046
  echo "$label|RSS of the largest node, idle after the runs|$(max_rss_mb $(pids_of "$dir")) MB" >>"$OUT/facts"
  KVS_LOCAL_DIR="$dir" ./kvs-local down --wipe >/dev/null
done

# ------------------------------------------------------------------- view change timing

# update_view add on a loaded cluster: 4 nodes K=2, then a 5th node (a proxy: nothing moves)
# and a 6th (a split 2 -> 3: a third of the keys move).
view_change() {  # label keys
  local label="$1" keys="$2" dir="$OUT/kvs-view-$2"
  KVS_DIRS+=("$dir")
  KVS_LOCAL_DIR="$dir" ./kvs-local up 4 2 >/dev/null
  log "view change with $keys keys: loading"
  local load
  load="$(bench --target kvs --endpoints "$(endpoints_of 4)" --workload load --keys "$keys" --clients 64 2>/dev/null)"
  echo "$load" | sed 's/^/load: /' >&2
  echo "kvs 4 nodes K=2|load of $keys keys (100 B) with 64 clients|$(echo "$load" | sed -n 's/.*"throughput":\([0-9]*\).*/\1/p') writes/s" >>"$OUT/facts"
  local step
  for step in 5 6; do
    KVS_LOCAL_DIR="$dir" ./kvs-local add >/dev/null
    update_view_timed "$dir" add "$step"
    echo "kvs 4 nodes K=2|$label: add node $step ($VIEW_PARTITIONS partitions), $keys keys|$VIEW_MS ms, $VIEW_MOVED keys moved, $VIEW_CPU" >>"$OUT/facts"
  done
  KVS_LOCAL_DIR="$dir" ./kvs-local down --wipe >/dev/null
}
view_change "view change" 10000
[ "$BIG_KEYS" -gt 0 ] && view_change "view change" "$BIG_KEYS"

# ----------------------------------------------------------------------------- report

cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | sed -n 1p)"
# The sections other scripts write (bench-cold.sh, bench-storage.sh, bench-jvm.sh, bench-latency.sh,
# bench-profile.sh) are kept as they are.
OTHER_SECTIONS="$(awk '/^## / { other = ($0 != "## Throughput and latency" && $0 != "## Start, memory, view changes") } other' \
  "$ROOT/BENCHMARKS.md" 2>/dev/null || true)"
{
  echo "# Benchmarks: kvs and etcd on one machine"
  echo
  echo "Written by \`scripts/bench.sh\` on $(date -u +%Y-%m-%d) (UTC); rerun it to replace this file."
  echo
  echo "- Machine: $(nproc) cores ($cpu), $(free -g | awk '/^Mem:/ { print $2 }') GiB memory, $(uname -sr); every process on this one machine, on loopback."
  echo "- Command: \`scripts/bench.sh --seconds $SECONDS_PER_RUN --warmup $WARMUP --jvm-warmup $JVM_WARMUP --big-keys $BIG_KEYS\`"
  echo "- Load: \`kvs-bench\` (this repository), closed loop, one OkHttp client with reused connections, client i on endpoint i mod n; $WARMUP s unmeasured, then $SECONDS_PER_RUN s measured; latencies of successful requests in HdrHistogram; 10,000 keys, 100-byte values (each its key and then random letters and digits); get and mixed runs write every key first."
  echo "- etcd: $ETCD_VERSION, 3 members, default settings: each write is in the WAL of a majority, fsynced, before it is acknowledged; reads through the HTTP JSON gateway are linearizable (\`serializable=false\`)."
  echo "- kvs: this commit ($(git rev-parse --short HEAD)), \`./kvs-local\` clusters (JVM options \`${KVS_JAVA_OPTS:-$(launcher_java_opts)}\`, the launcher's default), default settings: a write is acknowledged once a majority of its partition's group fsynced it; reads are ReadIndex reads on the leader. Each cluster first runs mixed load until the JIT has compiled the hot path (30 s steps until its C2 compiler threads use under 1 CPU second in a step, at most $JVM_WARMUP s; the time each took is in the last table). The load generator runs with C1 only (\`-XX:TieredStopAtLevel=1\`), so that its own compiles do not take CPU from either system. kvs clients pass back each answer's causal payload."
  echo "- The load generator shares the two cores with the servers; both systems pay for it alike. Throughput ratio kvs/etcd above 1 and latency ratio below 1 favour kvs."
  echo "- Efficiency: the CPU seconds of every server process together (user and system, from \`/proc\`: every thread, the JIT's and the collector's included), and the bytes they allocated (kvs: Micrometer's \`jvm_gc_memory_allocated_bytes_total\`; etcd: Go's \`go_memstats_alloc_bytes_total\`), over each measured part, per operation."
  echo
  echo "## Throughput and latency"
  echo
  bench table "$RESULTS"
  echo "## Start, memory, view changes"
  echo
  echo "| system | measure | value |"
  echo "|---|---|---|"
  awk -F'|' '{ printf "| %s | %s | %s |\n", $1, $2, $3 }' "$OUT/facts"
  echo
  echo "The raw results, one JSON line per run, are in \`BENCH-RESULTS/results.jsonl\` after a run."
  if [ -n "$OTHER_SECTIONS" ]; then
    echo
    printf '%s\n' "$OTHER_SECTIONS"
  fi
} >"$ROOT/BENCHMARKS.md"
log "wrote BENCHMARKS.md"
