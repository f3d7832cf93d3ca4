#!/usr/bin/env bash
# A lone client's write, the figure where kvs trails etcd most: kvs (3 nodes K=3, ./kvs-local,
# after the JIT warm-up of scripts/bench.sh) through its partition's leader and through each
# follower, against etcd (3 members) through each member. One client writes for 10 s through
# one node at a time; each kvs node logs its collections (-Xlog:gc), and the table puts the
# pauses every node took during each run beside that run's latencies, since a pause on the
# leader or on the node the client talks to holds up every write that meets it.
# Prints a table and writes it to BENCH-RESULTS/latency.md and to the "A lone client" section
# of BENCHMARKS.md.
#
#   scripts/bench-latency.sh [--rounds 2]
set -euo pipefail

cd "$(dirname "$0")/.."
LOG_TAG=bench-latency
JVM_WARMUP=${JVM_WARMUP:-360}
. scripts/bench-lib.sh
rounds_option 2 11 "$@"

[ -f "$BENCH_JAR" ] && [ -f kvs-http/target/kvs.jar ] || die "build first: mvn -B -q -DskipTests package"
./kvs-local prepare
mkdir -p "$OUT"
install_etcd "$OUT/apt.log"
RESULTS="$OUT/latency.jsonl"
GC_LOGS="$OUT/latency-gc"
KVS_DIR="$OUT/kvs-latency"
: >"$RESULTS"
rm -rf "$GC_LOGS"
mkdir -p "$GC_LOGS"

cleanup() {
  stop_etcd || true
  KVS_LOCAL_DIR="$KVS_DIR" ./kvs-local down --wipe >/dev/null 2>&1 || true
}
trap cleanup EXIT

# lone_writer SYSTEM TARGET ENDPOINT PATH ROUND: one client's writes through ENDPOINT, with the
# byte offset of every GC log before and after, as one JSON line of RESULTS.
lone_writer() {
  local system="$1" target="$2" endpoint="$3" path="$4" round="$5" before after line
  before="$(gc_offsets)"
  line="$(bench --target "$target" --endpoints "$endpoint" --label "$system" --workload put \
    --clients 1 --seconds 10 --warmup-seconds 2 2>/dev/null | grep '^{')" || die "$system through $path: no result"
  after="$(gc_offsets)"
  echo "{\"system\":\"$system\",\"path\":\"$path\",\"round\":$round,\"gc_before\":{$before},\"gc_after\":{$after},\"run\":$line}" >>"$RESULTS"
  log "$system through $path ($endpoint), round $round: $(echo "$line" | sed -n 's/.*"p50":\([0-9.]*\).*"p99":\([0-9.]*\).*/p50 \1 ms, p99 \2 ms/p')"
}
gc_offsets() {
  local f first=1
  for f in "$GC_LOGS"/*.log; do
    [ -e "$f" ] || continue
    [ "$first" = 1 ] || printf ','
    printf '"%s":%d' "$(basename "$f")" "$(stat -c %s "$f")"
    first=0
  done
}

log "etcd"
start_etcd "$OUT/etcd-latency" kvs-latency
for round in $(seq 1 "$ROUNDS"); do
  for i in 1 2 3; do lone_writer etcd etcd "127.0.0.3$i:2379" "member $i" "$round"; done
done
stop_etcd

log "kvs"
KVS_LOCAL_DIR="$KVS_DIR" ./kvs-local down --wipe >/dev/null 2>&1 || true
KVS_LOCAL_DIR="$KVS_DIR" KVS_JAVA_OPTS="$(launcher_java_opts) -Xlog:gc:file=$GC_LOGS/%p.log:uptime" ./kvs-local up 3 3 >/dev/null
endpoints="127.0.0.11:8080,127.0.0.12:8080,127.0.0.13:8080"
# shellcheck disable=SC2046
warmed="$(warm_jit "$endpoints" $(pids_of "$KVS_DIR"))"
leader="$(curl -s -m 2 http://127.0.0.11:8080/status | python3 -c 'import json, sys; print(json.load(sys.stdin)["partitions"][0]["leader"])')"
log "JIT warm-up took $warmed s; the partition's leader is $leader"
for round in $(seq 1 "$ROUNDS"); do
  followers=0
  for i in 1 2 3; do
    node="127.0.0.1$i:8080"
    if [ "$node" = "$leader" ]; then path=leader; else followers=$((followers + 1)); path="follower $followers"; fi
    lone_writer kvs kvs "$node" "$path" "$round"
  done
done
# Which GC log is whose: the pid files name each node.
for f in "$KVS_DIR"/*.pid; do echo "$(cat "$f") $(basename "$f" .pid)"; done >"$GC_LOGS/pids"
KVS_LOCAL_DIR="$KVS_DIR" ./kvs-local down --wipe >/dev/null

python3 - "$RESULTS" "$GC_LOGS" "$leader" >"$OUT/latency.md" <<'PY'
import json, os, re, statistics, sys
results, gc_logs, leader = sys.argv[1], sys.argv[2], sys.argv[3]
rows = [json.loads(l) for l in open(results) if l.strip()]
pause = re.compile(r"Pause (Young|Full) .* ([0-9.]+)ms$")

def pauses(row):
    """Every kvs node's pauses during one run: kind -> list of ms."""
    out = {"Young": [], "Full": []}
    for name, start in row["gc_before"].items():
        with open(os.path.join(gc_logs, name), "rb") as f:
            f.seek(start)
            text = f.read(row["gc_after"].get(name, start) - start).decode()
        for m in (pause.search(line) for line in text.splitlines()):
            if m:
                out[m.group(1)].append(float(m.group(2)))
    return out

def med(values):
    return statistics.median(values) if values else 0.0

etcd = [r["run"] for r in rows if r["system"] == "etcd"]
e_ops, e50, e99 = (med([r[k] for r in etcd]) for k in ("throughput", "p50", "p99"))
print("| kvs entry node | ops/s | p50 ms | p99 ms | p99.9 ms | p50 kvs/etcd | p99 kvs/etcd | collections on the 3 nodes during the run: young (mean, max ms) / full (max ms) |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
for path in ("leader", "follower 1", "follower 2"):
    runs = [r for r in rows if r["system"] == "kvs" and r["path"] == path]
    if not runs:
        continue
    ops, p50, p99, p999 = (med([r["run"][k] for r in runs]) for k in ("throughput", "p50", "p99", "p999"))
    young, full = [], []
    for r in runs:
        p = pauses(r)
        young += p["Young"]
        full += p["Full"]
    mean = statistics.mean(young) if young else 0.0
    gc = f"{len(young)} ({mean:.1f}, {max(young, default=0):.1f}) / {len(full)} ({max(full, default=0):.0f})"
    print(f"| {path} | {ops:,.0f} | {p50:.2f} | {p99:.2f} | {p999:.2f} | {p50 / e50:.2f}x | {p99 / e99:.2f}x | {gc} |")
print(f"| etcd, any member | {e_ops:,.0f} | {e50:.2f} | {e99:.2f} | {med([r['p999'] for r in etcd]):.2f} | | | |")
PY
cat "$OUT/latency.md"

{
  echo "## A lone client"
  echo
  echo "Written by \`scripts/bench-latency.sh --rounds $ROUNDS\` on $(date -u +%Y-%m-%d) (UTC) at commit $(git rev-parse --short HEAD); rerun it to replace this section."
  echo
  echo "- One client writes 100-byte values for 10 s (2 s unmeasured first) through one node at a time: kvs 3 nodes K=3 (\`./kvs-local\`, the launcher's JVM options and \`-Xlog:gc\`, after $warmed s of JIT warm-up as in \`scripts/bench.sh\`) through its partition's leader and through each follower, which relays the write to the leader; etcd ($(etcd --version | sed -n 1p), 3 members) through each member. Medians of $ROUNDS rounds; the etcd row is the median over its members."
  echo "- The last column counts the collections of all three kvs nodes during those runs (each node's log is in \`BENCH-RESULTS/latency-gc\`): a write that meets a pause on its entry node or on the leader waits for it."
  echo
  cat "$OUT/latency.md"
} >"$OUT/latency-section.md"
scripts/replace-section.sh "## A lone client" "$OUT/latency-section.md" "$ROOT/BENCHMARKS.md"
log "wrote the lone client section of BENCHMARKS.md"
