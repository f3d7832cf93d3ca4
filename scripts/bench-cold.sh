#!/usr/bin/env bash
# What a user who starts a cluster and tries it at once gets: kvs (3 nodes K=3, just started
# by ./kvs-local up) against etcd (3 members, just started), each measured from the moment it
# serves, with the same load generator. In each of two windows, 64 clients write for 10 s,
# then read for 10 s (the reads first write every key, as in scripts/bench.sh): the first from
# the moment the cluster serves, the second from 30 s after it. Prints a table and writes it to
# BENCH-RESULTS/cold.md and to the "Cold start" section of BENCHMARKS.md.
#
#   scripts/bench-cold.sh [--rounds 2]
set -euo pipefail

cd "$(dirname "$0")/.."
LOG_TAG=bench-cold
. scripts/bench-lib.sh
rounds_option 2 9 "$@"
ops_per_s() { sed -n 's/.*"throughput":\([0-9.]*\).*/\1/p' | awk '{ printf "%d", $1 }'; }
p99_ms() { sed -n 's/.*"p99":\([0-9.]*\).*/\1/p'; }

[ -f "$BENCH_JAR" ] && [ -f kvs-http/target/kvs.jar ] || die "build first: mvn -B -q -DskipTests package"
./kvs-local prepare
mkdir -p "$OUT"
install_etcd "$OUT/apt.log"
RESULTS="$OUT/cold.jsonl"
: >"$RESULTS"

KVS_DIR="$OUT/kvs-cold"
cleanup() {
  stop_etcd || true
  KVS_LOCAL_DIR="$KVS_DIR" ./kvs-local down --wipe >/dev/null 2>&1 || true
}
trap cleanup EXIT

# measure SYSTEM TARGET ENDPOINTS ROUND: the two windows, from the moment the system serves.
measure() {
  local system="$1" target="$2" endpoints="$3" round="$4" served window workload start wait
  served="$(now_s)"
  for window in 0 30; do
    wait="$(awk -v s="$served" -v n="$(now_s)" -v w="$window" 'BEGIN { d = s + w - n; print (d > 0 ? d : 0) }')"
    sleep "$wait"
    for workload in put get; do
      start="$(awk -v s="$served" -v n="$(now_s)" 'BEGIN { printf "%.0f", n - s }')"
      line="$(bench --target "$target" --endpoints "$endpoints" --label "$system" --workload "$workload" \
        --clients 64 --seconds 10 --warmup-seconds 0 2>/dev/null)"
      echo "$system|$round|$window|$workload|$start|$(echo "$line" | ops_per_s)|$(echo "$line" | p99_ms)" >>"$RESULTS"
      log "$system round $round, window from ${window} s: $workload began at ${start} s: $(echo "$line" | ops_per_s)/s, p99 $(echo "$line" | p99_ms) ms"
    done
  done
}

for round in $(seq 1 "$ROUNDS"); do
  log "etcd, round $round"
  start_etcd "$OUT/etcd-cold" kvs-cold
  measure etcd etcd "127.0.0.31:2379,127.0.0.32:2379,127.0.0.33:2379" "$round"
  stop_etcd
  log "kvs, round $round"
  KVS_LOCAL_DIR="$KVS_DIR" ./kvs-local down --wipe >/dev/null 2>&1 || true
  KVS_LOCAL_DIR="$KVS_DIR" ./kvs-local up 3 3 >/dev/null
  measure kvs kvs "127.0.0.11:8080,127.0.0.12:8080,127.0.0.13:8080" "$round"
  KVS_LOCAL_DIR="$KVS_DIR" ./kvs-local down --wipe >/dev/null
done

# The median over rounds of each system's figure, and kvs/etcd.
python3 - "$RESULTS" >"$OUT/cold.md" <<'PY'
import statistics, sys
rows = [l.strip().split("|") for l in open(sys.argv[1]) if l.strip()]
def med(system, window, workload, col):
    return statistics.median(float(r[col]) for r in rows if r[0] == system and r[2] == window and r[3] == workload)
print("| window | workload | kvs ops/s | etcd ops/s | kvs/etcd | kvs p99 ms | etcd p99 ms |")
print("|---|---|---:|---:|---:|---:|---:|")
for window, name in (("0", "from the moment it serves"), ("30", "from 30 s after")):
    for workload in ("put", "get"):
        k, e = med("kvs", window, workload, 5), med("etcd", window, workload, 5)
        kp, ep = med("kvs", window, workload, 6), med("etcd", window, workload, 6)
        print(f"| {name} | {workload} | {k:,.0f} | {e:,.0f} | {k / e:.2f}x | {kp:.1f} | {ep:.1f} |")
PY
cat "$OUT/cold.md"

# This script's section of BENCHMARKS.md, replaced in place (scripts/bench.sh keeps it).
{
  echo "## Cold start"
  echo
  echo "Written by \`scripts/bench-cold.sh --rounds $ROUNDS\` on $(date -u +%Y-%m-%d) (UTC) at commit $(git rev-parse --short HEAD); rerun it to replace this section."
  echo
  echo "- kvs: 3 nodes K=3 started by \`./kvs-local up 3 3\` (the launcher's JVM options, its class archive), measured from the moment \`up\` returns; etcd: $(etcd --version | sed -n 1p), 3 members started fresh, measured from its first accepted write. Nothing warms either first."
  echo "- In each window 64 clients write for 10 s, then read for 10 s (the reads first write every one of the 10,000 keys, 100-byte values of random letters and digits); the first window begins when the cluster serves, the second 30 s after. Medians of $ROUNDS rounds. The time a run began is in \`BENCH-RESULTS/cold.jsonl\`."
  echo
  cat "$OUT/cold.md"
} >"$OUT/cold-section.md"
scripts/replace-section.sh "## Cold start" "$OUT/cold-section.md" "$ROOT/BENCHMARKS.md"
log "wrote the cold start section of BENCHMARKS.md"
