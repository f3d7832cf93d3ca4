#!/usr/bin/env bash
# The JVM choices for a node, by time to full speed and by peak: each variant runs 3 nodes K=3
# started by ./kvs-local up, measured cold as scripts/bench-cold.sh does (64 clients write for
# 10 s, then read for 10 s, from the moment the cluster serves and again from 30 s after), then
# under mixed load until 180 s after it served, then warm (write 20 s, read 20 s, with the
# servers' CPU). Variants:
#   java17      the launcher's default: Java 17, tiered compilation (C1, then C2) with C2 inlining
#               less than by default, its class archive
#   java17-inline  the same with the JVM's default inlining (the launcher's inlining options left out)
#   java17-c1   the same as java17 with C1 only (-XX:TieredStopAtLevel=1)
#   java25-aot  Java 25 ($KVS_JDK25, default /usr/lib/jvm/temurin-25-jdk-amd64) with an ahead-of-time
#               cache of classes and method profiles (JEP 483, 515), trained first on 3 nodes K=3
#               under 40 s of mixed load
# Ratios are against java17 of the same run. Writes BENCH-RESULTS/jvm.md and the "JVM choices"
# section of BENCHMARKS.md.
#
#   scripts/bench-jvm.sh [--rounds 1]
set -euo pipefail

cd "$(dirname "$0")/.."
JDK25=${KVS_JDK25:-/usr/lib/jvm/temurin-25-jdk-amd64}
LOG_TAG=bench-jvm
. scripts/bench-lib.sh
rounds_option 1 15 "$@"
field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }

[ -f "$BENCH_JAR" ] && [ -f kvs-http/target/kvs.jar ] || die "build first: mvn -B -q -DskipTests package"
[ -x "$JDK25/bin/java" ] || die "no Java 25 at $JDK25 (set KVS_JDK25)"
./kvs-local prepare
mkdir -p "$OUT"
RESULTS="$OUT/jvm.jsonl"
: >"$RESULTS"
DIR="$OUT/kvs-jvm"
AOT="$OUT/kvs-jvm-aot"
# Every variant starts from the launcher's default options, whatever KVS_JAVA_OPTS says here.
BASE_OPTS="$(launcher_java_opts)"
[ -n "$BASE_OPTS" ] || die "cannot read the default JVM options from ./kvs-local"
ENDPOINTS="127.0.0.11:8080,127.0.0.12:8080,127.0.0.13:8080"
trap 'KVS_LOCAL_DIR="$DIR" ./kvs-local down --wipe >/dev/null 2>&1 || true' EXIT

# The launcher's inlining options, and the JVM options given without them.
INLINING_OPTION='-XX:(FreqInlineSize|InlineSmallCode|MaxInlineLevel)=[0-9]+'
inlining_options() { echo "$1" | grep -oE -- "$INLINING_OPTION" | paste -sd' '; }
without_inlining_options() { echo "$1" | sed -E "s/ $INLINING_OPTION//g"; }
[ "$(without_inlining_options "$BASE_OPTS")" != "$BASE_OPTS" ] || die "the launcher's JVM options set no inlining"

# variant NAME: runs the rest of the line with the variant's JVM (PATH, options, archive).
variant() {
  local name="$1"; shift
  case "$name" in
    java17) KVS_JAVA_OPTS="$BASE_OPTS" "$@" ;;
    java17-inline) KVS_JAVA_OPTS="$(without_inlining_options "$BASE_OPTS")" "$@" ;;
    java17-c1) KVS_JAVA_OPTS="$BASE_OPTS -XX:TieredStopAtLevel=1" "$@" ;;
    java25-aot) PATH="$JDK25/bin:$PATH" KVS_JAVA_OPTS="$BASE_OPTS" KVS_ARCHIVE_OPTS="-XX:AOTCache=$AOT/kvs.aot" "$@" ;;
  esac
}

# The AOT cache: each node of a 3 nodes K=3 cluster writes its own when it exits (the JVM then
# assembles it, which takes seconds: the nodes are given the time); node 1's is kept.
train_aot() {
  rm -rf "$AOT" && mkdir -p "$AOT"
  log "java25-aot: training the cache under 40 s of mixed load"
  PATH="$JDK25/bin:$PATH" KVS_JAVA_OPTS="$BASE_OPTS" KVS_ARCHIVE_OPTS="-XX:AOTCacheOutput=$AOT/%n.aot" \
    KVS_LOCAL_DIR="$DIR" ./kvs-local up 3 3 >/dev/null
  bench --target kvs --endpoints "$ENDPOINTS" --workload mixed --clients 64 --seconds 40 --warmup-seconds 0 >/dev/null 2>&1
  local pid deadline
  for sup in "$DIR"/*.sup; do kill "$(cat "$sup")" 2>/dev/null || true; done
  for pidfile in "$DIR"/*.pid; do kill "$(cat "$pidfile")" 2>/dev/null || true; done
  deadline=$((SECONDS + 120))
  for pidfile in "$DIR"/*.pid; do
    pid="$(cat "$pidfile")"
    while kill -0 "$pid" 2>/dev/null; do
      [ $SECONDS -lt $deadline ] || die "a training node did not exit within 120 s"
      sleep 0.5
    done
  done
  [ -s "$AOT/127.0.0.11_8080.aot" ] || die "no AOT cache was written (see $DIR/*.log)"
  mv "$AOT/127.0.0.11_8080.aot" "$AOT/kvs.aot"
  rm -rf "$DIR"
}

# measure NAME ROUND: one cluster of the variant, cold windows, then warm.
measure() {
  local name="$1" round="$2" served wait start line workload window pids
  KVS_LOCAL_DIR="$DIR" ./kvs-local down --wipe >/dev/null 2>&1 || true
  variant "$name" env KVS_LOCAL_DIR="$DIR" ./kvs-local up 3 3 >/dev/null
  served="$(now_s)"
  for window in 0 30; do
    wait="$(awk -v s="$served" -v n="$(now_s)" -v w="$window" 'BEGIN { d = s + w - n; print (d > 0 ? d : 0) }')"
    sleep "$wait"
    for workload in put get; do
      line="$(bench --target kvs --endpoints "$ENDPOINTS" --workload "$workload" --clients 64 --seconds 10 \
        --warmup-seconds 0 2>/dev/null)"
      echo "$name|$round|cold$window|$workload|$(echo "$line" | field throughput)|$(echo "$line" | field p99)|" >>"$RESULTS"
      log "$name round $round, from ${window} s: $workload $(echo "$line" | field throughput)/s"
    done
  done
  start="$(awk -v s="$served" -v n="$(now_s)" 'BEGIN { printf "%d", s + 180 - n }')"
  [ "$start" -gt 0 ] && bench --target kvs --endpoints "$ENDPOINTS" --workload mixed --clients 64 --seconds "$start" \
    --warmup-seconds 0 >/dev/null 2>&1
  pids="$(cat "$DIR"/*.pid | paste -sd,)"
  for workload in put get; do
    line="$(bench --target kvs --endpoints "$ENDPOINTS" --workload "$workload" --clients 64 --seconds 20 \
      --warmup-seconds 3 --server-pids "$pids" 2>/dev/null)"
    echo "$name|$round|warm|$workload|$(echo "$line" | field throughput)|$(echo "$line" | field p99)|$(echo "$line" | field serverCpuSeconds)" >>"$RESULTS"
    log "$name round $round, warm: $workload $(echo "$line" | field throughput)/s"
  done
  KVS_LOCAL_DIR="$DIR" ./kvs-local down --wipe >/dev/null
}

train_aot
for round in $(seq 1 "$ROUNDS"); do
  for name in java17 java17-inline java17-c1 java25-aot; do
    measure "$name" "$round"
  done
done

# Medians over rounds, each variant against java17.
python3 - "$RESULTS" >"$OUT/jvm.md" <<'PY'
import statistics, sys
rows = [l.strip().split("|") for l in open(sys.argv[1]) if l.strip()]
def med(name, phase, workload, col):
    values = [float(r[col]) for r in rows if r[0] == name and r[2] == phase and r[3] == workload and r[col]]
    return statistics.median(values) if values else float("nan")
phases = (("cold0", "first 10 s"), ("cold30", "from 30 s"), ("warm", "warm (after 180 s)"))
names = ("java17", "java17-inline", "java17-c1", "java25-aot")
print("| phase | workload | " + " | ".join(names) + " |")
print("|---|---|" + "---:|" * len(names))
for phase, label in phases:
    for workload in ("put", "get"):
        base = med("java17", phase, workload, 4)
        cells = [f"{med(n, phase, workload, 4):,.0f}/s" + ("" if n == "java17" else f" ({med(n, phase, workload, 4) / base:.2f}x)")
                 for n in names]
        print(f"| {label} | {workload} | " + " | ".join(cells) + " |")
PY
cat "$OUT/jvm.md"

{
  echo "## JVM choices"
  echo
  echo "Written by \`scripts/bench-jvm.sh --rounds $ROUNDS\` on $(date -u +%Y-%m-%d) (UTC) at commit $(git rev-parse --short HEAD); rerun it to replace this section."
  echo
  echo "- Each variant: 3 nodes K=3 from \`./kvs-local up 3 3\`, measured from the moment it serves as in \"Cold start\" (64 clients, 10 s of writes, then 10 s of reads, at 0 s and at 30 s), then under mixed load until 180 s, then 20 s of writes and 20 s of reads. Medians of $ROUNDS round(s); ratios against java17 of the same run."
  echo "- java17: the launcher's default (tiered compilation, C2 inlining less than by default: \`$(inlining_options "$BASE_OPTS")\`, its class archive); java17-inline: the JVM's default inlining; java17-c1: C1 only (\`-XX:TieredStopAtLevel=1\`); java25-aot: $("$JDK25/bin/java" -version 2>&1 | sed -n 1p) with an AOT cache of classes and method profiles (JEP 483, 515) trained on 3 nodes K=3 under 40 s of mixed load."
  echo
  cat "$OUT/jvm.md"
} >"$OUT/jvm-section.md"
scripts/replace-section.sh "## JVM choices" "$OUT/jvm-section.md" "$ROOT/BENCHMARKS.md"
log "wrote the JVM choices section of BENCHMARKS.md"
