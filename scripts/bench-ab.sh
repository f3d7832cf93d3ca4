#!/usr/bin/env bash
# Two commits of kvs side by side on this machine: which one is faster, and by how much. Each
# commit is built in its own worktree (BENCH-RESULTS/ab/<commit>) and run as ./kvs-local up 3 3
# with its own launcher, A on port 8080 and B on 8090 (the same loopback addresses); the load
# generator is this checkout's for both. Both clusters start fresh and each is warmed with mixed
# load until its JIT has compiled the hot path (as scripts/bench.sh does, for at most --warm
# seconds) while the other idles; then PUT and GET at 64 clients are measured on A and B in
# turn, --rounds times, alternating which goes first, so that drift of the machine falls on
# both alike. Prints one line per run and a table of medians with the ratio B/A. For a
# regression hunt: bisect with it.
#
#   scripts/bench-ab.sh A B [--rounds 3] [--warm 360] [--seconds 10]
set -euo pipefail

cd "$(dirname "$0")/.."
ROUNDS=3
WARM=360
SECONDS_PER_RUN=10
usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 2 ] || usage
A="$(git rev-parse --short "$1")"
B="$(git rev-parse --short "$2")"
[ "$A" != "$B" ] || { echo "bench-ab: $1 and $2 are the same commit ($A)" >&2; exit 2; }
shift 2
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift ;;
    --warm) WARM="$2"; shift ;;
    --seconds) SECONDS_PER_RUN="$2"; shift ;;
    *) usage ;;
  esac
  shift
done

LOG_TAG=bench-ab
. scripts/bench-lib.sh
OUT="$ROOT/BENCH-RESULTS/ab"

[ -f "$BENCH_JAR" ] || die "build first: mvn -B -q -DskipTests package"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: >"$RESULTS"

# The commit's worktree, built once; its launcher's class archive made before any measurement.
prepare() {  # commit
  local tree="$OUT/$1"
  if [ ! -f "$tree/kvs-http/target/kvs.jar" ]; then
    log "$1: building in $tree"
    git worktree add -f "$tree" "$1" >/dev/null 2>&1 || [ -d "$tree" ] || die "cannot check out $1"
    (cd "$tree" && mvn -B -q -DskipTests package >"$tree.build.log" 2>&1) || die "$1 does not build: $tree.build.log"
  fi
  (cd "$tree" && ./kvs-local prepare >/dev/null 2>&1) || true  # older launchers make it on up
}

port_of() { [ "$1" = "$A" ] && echo 8080 || echo 8090; }
endpoints_of() { local p; p="$(port_of "$1")"; echo "127.0.0.11:$p,127.0.0.12:$p,127.0.0.13:$p"; }
local_cluster() {  # commit kvs-local-arguments...
  local commit="$1"
  shift
  (cd "$OUT/$commit" && KVS_LOCAL_DIR="$OUT/data-$commit" KVS_PORT="$(port_of "$commit")" ./kvs-local "$@")
}
cleanup() { local c; for c in "$A" "$B"; do local_cluster "$c" down --wipe >/dev/null 2>&1 || true; done; }
trap cleanup EXIT

start() {  # commit
  local commit="$1" spent
  local_cluster "$commit" down --wipe >/dev/null 2>&1 || true
  local_cluster "$commit" up 3 3 >/dev/null || die "$commit: the cluster did not start"
  spent="$(JVM_WARMUP="$WARM" warm_jit "$(endpoints_of "$commit")" $(pids_of "$OUT/data-$commit"))"
  log "$commit: JIT warm-up took $spent s"
}

measure() {  # commit round workload
  local commit="$1" round="$2" workload="$3" line
  line="$(bench --target kvs --endpoints "$(endpoints_of "$commit")" --label "$commit" --workload "$workload" \
    --clients 64 --seconds "$SECONDS_PER_RUN" --warmup-seconds 3 \
    --server-pids "$(pids_of "$OUT/data-$commit" | paste -sd, -)" 2>/dev/null)"
  echo "$line" >>"$RESULTS"
  log "round $round, $commit, $workload: $(echo "$line" | sed -n 's/.*"throughput":\([0-9]*\).*/\1/p')/s"
}

prepare "$A"
prepare "$B"
start "$A"
start "$B"
for round in $(seq 1 "$ROUNDS"); do
  first="$A" second="$B"
  [ $((round % 2)) -eq 0 ] && first="$B" second="$A"
  for workload in put get; do
    measure "$first" "$round" "$workload"
    measure "$second" "$round" "$workload"
  done
done
cleanup

python3 - "$RESULTS" "$A" "$B" <<'EOF'
import json, statistics, sys
path, a, b = sys.argv[1:]
runs = [json.loads(line) for line in open(path) if line.strip()]
def median(commit, workload, field):
    values = [r[field] / r["ops"] * 1000 if field == "serverCpuSeconds" else r[field]
              for r in runs if r["label"] == commit and r["workload"] == workload and r.get(field) is not None]
    return statistics.median(values) if values else None
print(f"| workload | {a} ops/s | {b} ops/s | {b}/{a} | {a} p99 ms | {b} p99 ms | {a} CPU s/1,000 ops | {b} CPU s/1,000 ops |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for workload in ("put", "get"):
    ta, tb = median(a, workload, "throughput"), median(b, workload, "throughput")
    ca, cb = median(a, workload, "serverCpuSeconds"), median(b, workload, "serverCpuSeconds")
    print(f"| {workload} | {ta:.0f} | {tb:.0f} | {tb / ta:.2f}x | {median(a, workload, 'p99'):.1f} "
          f"| {median(b, workload, 'p99'):.1f} | {ca:.3f} | {cb:.3f} |")
EOF
