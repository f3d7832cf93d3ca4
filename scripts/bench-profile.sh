#!/usr/bin/env bash
# Where the servers' CPU goes in the runs where kvs trails etcd most: async-profiler (CPU timer,
# every thread, the JIT's and the collector's included) on every node during 64-client load.
#   - cold: 3 nodes K=3 from `./kvs-local up 3 3`, puts for 10 s from the moment it serves, then
#     gets for 10 s (as the first window of scripts/bench-cold.sh);
#   - warm: the same cluster after the JIT warm-up of scripts/bench.sh, puts then gets for 20 s;
#   - scale: 6 nodes K=3 after the same warm-up, puts for 20 s.
# Each profile is summed over the nodes by thread pool and by innermost frame; the tables go to
# BENCH-RESULTS/profile.md and to the "Where the CPU goes" section of BENCHMARKS.md, the
# collapsed stacks (one file per node and run, for flame graphs) to BENCH-RESULTS/profile/.
# async-profiler comes from Maven Central (tools.profiler:async-profiler).
#
#   scripts/bench-profile.sh
set -euo pipefail

cd "$(dirname "$0")/.."
LOG_TAG=bench-profile
JVM_WARMUP=${JVM_WARMUP:-360}
. scripts/bench-lib.sh
[ $# -eq 0 ] || { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

[ -f "$BENCH_JAR" ] && [ -f kvs-http/target/kvs.jar ] || die "build first: mvn -B -q -DskipTests package"
./kvs-local prepare
STACKS="$OUT/profile"
KVS_DIR="$OUT/kvs-profile"
rm -rf "$STACKS"
mkdir -p "$STACKS"
RESULTS="$STACKS/runs.jsonl"

fetch_profiler

cleanup() { KVS_LOCAL_DIR="$KVS_DIR" ./kvs-local down --wipe >/dev/null 2>&1 || true; }
trap cleanup EXIT

# shellcheck disable=SC2046
server_cpu_ticks() { cpu_ticks $(pids_of "$KVS_DIR"); }

# profiled RUN WORKLOAD SECONDS ENDPOINTS: one profiled load run on the cluster in KVS_DIR.
profiled() {
  local run="$1" workload="$2" seconds="$3" endpoints="$4" before after line
  profile_nodes "$KVS_DIR" "start,event=itimer,threads"
  before="$(server_cpu_ticks)"
  line="$(bench --target kvs --endpoints "$endpoints" --workload "$workload" --clients 64 \
    --seconds "$seconds" --warmup-seconds 0 2>/dev/null | grep '^{')" || die "$run $workload: no result"
  after="$(server_cpu_ticks)"
  profile_nodes "$KVS_DIR" "stop,file=$STACKS/$run-$workload-%p.collapsed,collapsed"  # %p: the profiler writes each node's pid
  echo "{\"run\":\"$run\",\"workload\":\"$workload\",\"cpu_ticks\":$((after - before)),\"result\":$line}" >>"$RESULTS"
  log "$run $workload: $(echo "$line" | sed -n 's/.*"throughput":\([0-9]*\).*/\1/p') ops/s, server CPU $(((after - before) / 100)) s"
}

: >"$RESULTS"
E3="127.0.0.11:8080,127.0.0.12:8080,127.0.0.13:8080"
cleanup
KVS_LOCAL_DIR="$KVS_DIR" ./kvs-local up 3 3 >/dev/null
profiled cold put 10 "$E3"
profiled cold get 10 "$E3"
# shellcheck disable=SC2046
log "3 nodes K=3: JIT warm-up took $(warm_jit "$E3" $(pids_of "$KVS_DIR")) s"
profiled warm put 20 "$E3"
profiled warm get 20 "$E3"
cleanup

E6="$E3,127.0.0.14:8080,127.0.0.15:8080,127.0.0.16:8080"
KVS_LOCAL_DIR="$KVS_DIR" ./kvs-local up 6 3 >/dev/null
# shellcheck disable=SC2046
log "6 nodes K=3: JIT warm-up took $(warm_jit "$E6" $(pids_of "$KVS_DIR")) s"
profiled scale6 put 20 "$E6"
cleanup

python3 - "$STACKS" "$(git rev-parse --short HEAD)" >"$OUT/profile.md" <<'PY'
import collections, datetime, glob, json, os, re, sys
stacks, commit = sys.argv[1], sys.argv[2]
runs = [json.loads(l) for l in open(os.path.join(stacks, "runs.jsonl")) if l.strip()]
POOLS = [  # thread name pattern -> what the threads do; the first match wins
    (r"C2 CompilerThre", "JIT: C2 compiler"),
    (r"C1 CompilerThre", "JIT: C1 compiler"),
    (r"JettyServerThreadPool", "HTTP server (Jetty): client requests, relayed batches"),
    (r"OkHttp|Okio", "HTTP client (OkHttp): relays to the leader, peer calls"),
    (r"-requests-", "kvs request threads (gateway, batching)"),
    (r"ForkJoinPool", "common pool (async continuations)"),
    (r"grpc-", "gRPC: Raft messages and Raft clients"),
    (r"StateMachineUpdater", "Raft: applying entries (RocksDB writes)"),
    (r"SegmentedRaftLogWorker", "Raft: log writes and fsyncs"),
    (r"LogAppender|LeaderStateImpl|FollowerState|-server-thread|-client-thread", "Raft: appenders, leader, server executors"),
    (r"rocksdb:", "RocksDB: flushes and compactions"),
    (r"VM Thread|GC Thread|VM Periodic|Sweeper|Monitor Deflati|Reference Handler|Notification", "JVM: collector (serial, in the VM thread), VM"),
]
OTHER = "other"
INNER = ("io/kvs", "org/rocksdb", "org/apache/ratis", "org/eclipse/jetty", "okhttp3", "io/javalin")
COLUMNS = [("cold", "put"), ("cold", "get"), ("warm", "put"), ("warm", "get"), ("scale6", "put")]
TITLES = {"cold": "3 nodes K=3, first 10 s", "warm": "3 nodes K=3, warm", "scale6": "6 nodes K=3, warm"}

def pool(thread):
    return next((name for pattern, name in POOLS if re.search(pattern, thread)), OTHER)

shares, inner, totals = {}, {}, {}
for run, workload in COLUMNS:
    by_pool, by_frame, total = collections.Counter(), collections.Counter(), 0
    for f in glob.glob(os.path.join(stacks, f"{run}-{workload}-*.collapsed")):
        for line in open(f):
            stack, n = line.rstrip().rsplit(" ", 1)
            frames, n = stack.split(";"), int(n)
            total += n
            by_pool[pool(frames[0])] += n
            if "CompilerThre" not in frames[0]:
                frame = next((x for x in reversed(frames) if x.startswith(INNER)), frames[-1])
                by_frame[frame[:110]] += n
    shares[(run, workload)], inner[(run, workload)], totals[(run, workload)] = by_pool, by_frame, total

def result(run, workload):
    return next(r for r in runs if r["run"] == run and r["workload"] == workload)

cols = [c for c in COLUMNS if totals[c]]
print(f"Written by `scripts/bench-profile.sh` on {datetime.date.today()} (UTC) at commit {commit}; rerun it to replace this section.")
print()
print("- async-profiler (`itimer`, every thread) on every node of a `./kvs-local` cluster (the launcher's JVM options) while 64 clients of `kvs-bench` write or read 100-byte values; "
      "cold: from the moment `./kvs-local up 3 3` returns, 10 s of puts, then 10 s of gets (the first window of \"Cold start\"); warm: after the JIT warm-up of `scripts/bench.sh`, 20 s each. "
      "Shares are of all samples of all nodes; server CPU is every node process's user and system time from `/proc` over the run. The stacks are in `BENCH-RESULTS/profile/`.")
print()
print("| | " + " | ".join(f"{TITLES[r]}: {w}" for r, w in cols) + " |")
print("|---|" + "---:|" * len(cols))
print("| ops/s | " + " | ".join(f"{result(*c)['result']['throughput']:,.0f}" for c in cols) + " |")
print("| server CPU s per 1,000 ops | " + " | ".join(
    f"{result(*c)['cpu_ticks'] / 100 / max(1, result(*c)['result']['ops']) * 1000:.3f}" for c in cols) + " |")
for name in [n for _, n in POOLS] + [OTHER]:
    if any(shares[c][name] for c in cols):
        print(f"| {name} | " + " | ".join(f"{100 * shares[c][name] / totals[c]:.1f}%" for c in cols) + " |")
print()
print("Innermost frames of the threads that serve (the compilers left out), share of all samples:")
print()
for c in cols:
    top = ", ".join(f"`{frame}` {100 * n / totals[c]:.1f}%" for frame, n in inner[c].most_common(6))
    print(f"- {TITLES[c[0]]}, {c[1]}: {top}")
PY
{ echo "## Where the CPU goes"; echo; cat "$OUT/profile.md"; } >"$OUT/profile-section.md"
scripts/replace-section.sh "## Where the CPU goes" "$OUT/profile-section.md" BENCHMARKS.md
cat "$OUT/profile.md"
