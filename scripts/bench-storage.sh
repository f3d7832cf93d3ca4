#!/usr/bin/env bash
# Storage beyond memory, measured on this machine: a 3-node K=3 cluster whose nodes have a
# 256 MiB heap takes 4 GiB of values, is killed (kill -9, every node) and started again, and
# gives a new replica the whole partition; then a 4-node K=2 cluster with 1,000,000 keys of
# 100 bytes splits 2 -> 3, merges back and splits again. Prints a table, writes it to
# BENCH-RESULTS/storage.md and to the "Storage beyond memory" section of BENCHMARKS.md.
#
#   scripts/bench-storage.sh [--values 4096] [--value-bytes 1048576] [--split-keys 1000000]
set -euo pipefail

cd "$(dirname "$0")/.."
VALUES=4096
VALUE_BYTES=1048576
SPLIT_KEYS=1000000
while [ $# -gt 0 ]; do
  case "$1" in
    --values) VALUES="$2"; shift ;;
    --value-bytes) VALUE_BYTES="$2"; shift ;;
    --split-keys) SPLIT_KEYS="$2"; shift ;;
    *) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
  shift
done

LOG_TAG=bench-storage
. scripts/bench-lib.sh
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
fact() { echo "$1|$2" >>"$FACTS"; log "$1: $2"; }

# Reads every key bench0..bench<n-1> (or every <step>-th) through the given endpoints, 8 at a
# time; prints how many did not answer 200 with a value of the expected length.
unreadable() {  # endpoints n bytes [step]
  python3 - "$@" <<'PY'
import json, sys, urllib.request, concurrent.futures
endpoints, n, size = sys.argv[1].split(","), int(sys.argv[2]), int(sys.argv[3])
step = int(sys.argv[4]) if len(sys.argv) > 4 else 1
def bad(i):
    req = urllib.request.Request(f"http://{endpoints[i % len(endpoints)]}/kv-store/bench{i}",
                                 data=b"causal_payload=", method="GET")
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            value = json.load(r).get("value", "")
            return len(value) != size or not value.startswith(f"bench{i}:")
    except Exception:
        return True
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    print(sum(pool.map(bad, range(0, n, step))))
PY
}

command -v python3 >/dev/null || die "python3 is needed to read the values back"
[ -f "$BENCH_JAR" ] && [ -f kvs-http/target/kvs.jar ] || (mvn -B -q install -DskipTests >/dev/null) || die "build failed"
mkdir -p "$OUT"
FACTS="$OUT/storage-facts"
: >"$FACTS"
DIRS=()
# The nodes' logs are kept (BENCH-RESULTS/storage-logs); their data, gigabytes, is not.
wipe() {  # cluster-dir: stops its nodes and deletes their data, keeping their logs
  mkdir -p "$OUT/storage-logs/$(basename "$1")"
  cp "$1"/*.log "$OUT/storage-logs/$(basename "$1")/" 2>/dev/null || true
  KVS_LOCAL_DIR="$1" ./kvs-local down --wipe >/dev/null 2>&1 || true
}
cleanup() {
  local d
  for d in "${DIRS[@]}"; do
    wipe "$d"
  done
}
trap cleanup EXIT

# ------------------------------------------------------- 4 GiB on 3 nodes with a 256 MiB heap
dir="$OUT/kvs-storage-3x3"
DIRS+=("$dir")
export KVS_JAVA_OPTS="-XX:+UseSerialGC -Xms32m -Xmx256m -XX:+ExitOnOutOfMemoryError"
EP="127.0.0.11:8080,127.0.0.12:8080,127.0.0.13:8080"
gib="$(awk -v n="$VALUES" -v b="$VALUE_BYTES" 'BEGIN { printf "%.1f", n * b / 2^30 }')"
label="3 nodes K=3, -Xmx256m"
wipe "$dir"  # a cluster left by an interrupted run
KVS_LOCAL_DIR="$dir" ./kvs-local up 3 3 >/dev/null
log "$label: loading $VALUES values of $VALUE_BYTES bytes ($gib GiB)"
t0=$(now_ms)
load="$(bench --target kvs --endpoints "$EP" --workload load --keys "$VALUES" --value-bytes "$VALUE_BYTES" --clients 8 2>/dev/null)"
ms=$(( $(now_ms) - t0 ))
errors="$(echo "$load" | sed -n 's/.*"errors":\([0-9]*\).*/\1/p')"
retried="$(echo "$load" | sed -n 's/.*"retried":\([0-9]*\).*/\1/p')"
[ "${errors:-0}" -eq 0 ] || log "$label: the first refused write: $(echo "$load" | sed -n 's/.*"firstError":"\(.*\)".*/\1/p' | head -c 300)"
fact "$label: load $gib GiB ($VALUES x $VALUE_BYTES B, 8 clients)" "$ms ms, $(awk -v n="$VALUES" -v b="$VALUE_BYTES" -v ms="$ms" 'BEGIN { printf "%.0f", n * b / 2^20 / (ms / 1000) }') MiB/s, ${errors:-?} writes failed, ${retried:-?} sent again when refused as busy"
# shellcheck disable=SC2046
fact "$label: largest node RSS after the load" "$(max_rss_mb $(pids_of "$dir")) MB"
fact "$label: data directory of one node" "$(du -sm "$dir/127.0.0.11_8080" | cut -f1) MB"
t0=$(now_ms)
bad="$(unreadable "$EP" "$VALUES" "$VALUE_BYTES")"
fact "$label: every value read back" "$bad of $VALUES unreadable, $(( $(now_ms) - t0 )) ms"

log "$label: kill -9 of every node, then start"
# shellcheck disable=SC2046
kill -9 $(pids_of "$dir")
sleep 1
t0=$(now_ms)
KVS_LOCAL_DIR="$dir" ./kvs-local up 3 3 >/dev/null
fact "$label: start after kill -9 to a write accepted" "$(( $(now_ms) - t0 )) ms"
sample=$(( VALUES / 64 > 0 ? VALUES / 64 : 1 ))
bad="$(unreadable "$EP" "$VALUES" "$VALUE_BYTES" "$sample")"
fact "$label: start after kill -9 to every ${sample}th value read back" "$(( $(now_ms) - t0 )) ms ($bad unreadable)"
# shellcheck disable=SC2046
fact "$label: largest node RSS after the restart" "$(max_rss_mb $(pids_of "$dir")) MB"
t1=$(now_ms)
bad="$(unreadable "$EP" "$VALUES" "$VALUE_BYTES")"
fact "$label: after the restart, every value read back" "$(( $(now_ms) - t1 )) ms ($bad unreadable)"

log "$label: a new replica (a 4th node joins, a member is removed: the proxy takes its place)"
KVS_LOCAL_DIR="$dir" ./kvs-local add >/dev/null
curl -s -m 60 -X PUT 'http://127.0.0.12:8080/kv-store/update_view?type=add' -d 'ip_port=127.0.0.14:8080' | grep -q success \
  || die "could not add 127.0.0.14:8080"
t0=$(now_ms)
answer="$(curl -s -m 900 -X PUT 'http://127.0.0.12:8080/kv-store/update_view?type=remove' -d 'ip_port=127.0.0.11:8080')"
ms=$(( $(now_ms) - t0 ))
echo "$answer" | grep -q success || die "remove: $answer"
keys="$(curl -s http://127.0.0.14:8080/metrics | sed -n 's/^kvs_partition_keys{[^}]*} \([0-9.]*\)$/\1/p' | head -n1)"
# The rate counts the values the cluster acknowledged (those the new replica holds), not those tried.
fact "$label: a new replica catches up with the partition (update_view remove, the proxy joins)" \
  "$ms ms, $(awk -v n="${keys:-0}" -v b="$VALUE_BYTES" -v ms="$ms" 'BEGIN { printf "%.0f", n * b / 2^20 / (ms / 1000) }') MiB/s, it holds ${keys:-?} keys"
wipe "$dir"
unset KVS_JAVA_OPTS

# ---------------------------------------------------------- a split with 1,000,000 small keys
dir="$OUT/kvs-storage-split"
DIRS+=("$dir")
wipe "$dir"  # a cluster left by an interrupted run
KVS_LOCAL_DIR="$dir" ./kvs-local up 4 2 >/dev/null
log "split: loading $SPLIT_KEYS keys of 100 B"
bench --target kvs --endpoints "127.0.0.11:8080,127.0.0.12:8080,127.0.0.13:8080,127.0.0.14:8080" --workload load \
  --keys "$SPLIT_KEYS" --clients 64 >/dev/null 2>&1
label="4 nodes K=2, $SPLIT_KEYS keys of 100 B"
for node in 5 6; do
  KVS_LOCAL_DIR="$dir" ./kvs-local add >/dev/null
  update_view_timed "$dir" add "$node"
done
fact "$label: split 2 -> $VIEW_PARTITIONS partitions (update_view add)" "$VIEW_MS ms, $VIEW_MOVED keys moved, $VIEW_CPU"
update_view_timed "$dir" remove 6
fact "$label: merge 3 -> $VIEW_PARTITIONS partitions (update_view remove of that node)" "$VIEW_MS ms, $VIEW_MOVED keys moved, $VIEW_CPU"
update_view_timed "$dir" add 6
fact "$label: split 2 -> $VIEW_PARTITIONS again, on nodes that have moved data once" "$VIEW_MS ms, $VIEW_MOVED keys moved, $VIEW_CPU"

{
  echo "| measure | value |"
  echo "|---|---|"
  awk -F'|' '{ printf "| %s | %s |\n", $1, $2 }' "$FACTS"
} | tee "$OUT/storage.md"

# This script's section of BENCHMARKS.md, replaced in place (scripts/bench.sh keeps it when it
# rewrites the rest of the file).
{
  echo "## Storage beyond memory"
  echo
  echo "Written by \`scripts/bench-storage.sh\` on $(date -u +%Y-%m-%d) (UTC) at commit $(git rev-parse --short HEAD); rerun it to replace this section."
  echo
  echo "- 3 nodes K=3 from \`./kvs-local\`, JVM options \`-XX:+UseSerialGC -Xms32m -Xmx256m\`: 8 clients (\`kvs-bench --workload load\`) write $VALUES values of $VALUE_BYTES bytes, each its key and then random letters and digits (which compress no better than user data would); every value is read back and checked to be its key's; every node is killed with \`kill -9\` and started again; a 4th node is added and a member removed, so the proxy becomes a member and receives the whole partition."
  echo "- 4 nodes K=2 with $SPLIT_KEYS keys of 100 B, then two nodes added: the second add splits 2 -> 3 partitions; that node is removed (a merge 3 -> 2) and added again (a split on JVMs that have moved data once). The CPU is that of every node's process while the change ran."
  echo "- Every process on this one machine. A write refused as busy (503 with Retry-After: back-pressure) is sent again after the pause it names, at most 10 times, as a client honouring back-pressure does; any other refusal counts as failed, and its value as unreadable."
  echo
  cat "$OUT/storage.md"
} >"$OUT/storage-section.md"
scripts/replace-section.sh "## Storage beyond memory" "$OUT/storage-section.md" "$ROOT/BENCHMARKS.md"
log "wrote the storage section of BENCHMARKS.md"
