#!/usr/bin/env bash
# A 2 -> 3 split of 4 nodes K=2, timed round after round without loading the keys again: for
# working on what a split costs. The keys (100 B each) are loaded once into a cluster whose
# stopped data is kept as a template (BENCH-RESULTS/split-template-<keys>, reused by later runs,
# as a node restarted after an upgrade reads its data; --fresh loads it again). Each round starts
# a copy of it (fresh JVMs), writes with 64 clients over the same keys for --warm seconds (the JIT
# compiles the write path, as after a load), adds a 5th node (a proxy), then adds a 6th (the
# split) and times it, with the nodes' CPU, C2's share, and how many of the two cores they kept
# busy. With --profile, async-profiler samples every node during the split (collapsed stacks in
# BENCH-RESULTS/split-profile/round-<n>/, one file per node pid) and each node's share of the
# samples, and of its own spent compiling, is printed. Results: BENCH-RESULTS/split.txt.
#
#   scripts/bench-split.sh [--keys 1000000] [--rounds 3] [--warm 90] [--profile] [--fresh]
set -euo pipefail

cd "$(dirname "$0")/.."
LOG_TAG=bench-split
. scripts/bench-lib.sh
KEYS=1000000
ROUNDS=3
WARM=90
PROFILE=0
FRESH=0
while [ $# -gt 0 ]; do
  case "$1" in
    --keys) KEYS="$2"; shift ;;
    --rounds) ROUNDS="$2"; shift ;;
    --warm) WARM="$2"; shift ;;
    --profile) PROFILE=1 ;;
    --fresh) FRESH=1 ;;
    *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
  shift
done

[ -f "$BENCH_JAR" ] && [ -f kvs-http/target/kvs.jar ] || die "build first: mvn -B -q -DskipTests package"
./kvs-local prepare
mkdir -p "$OUT"
TEMPLATE="$OUT/split-template-$KEYS"
DIR="$OUT/kvs-split"
RESULTS="$OUT/split.txt"
EP="127.0.0.11:8080,127.0.0.12:8080,127.0.0.13:8080,127.0.0.14:8080"
trap 'KVS_LOCAL_DIR="$DIR" ./kvs-local down --wipe >/dev/null 2>&1 || true' EXIT
[ "$PROFILE" = 0 ] || fetch_profiler

if [ "$FRESH" = 1 ] || [ ! -d "$TEMPLATE" ]; then
  rm -rf "$TEMPLATE" "$DIR"
  KVS_LOCAL_DIR="$DIR" ./kvs-local up 4 2 >/dev/null
  log "loading $KEYS keys of 100 B into the template"
  bench --target kvs --endpoints "$EP" --workload load --keys "$KEYS" --clients 64 >/dev/null 2>&1
  KVS_LOCAL_DIR="$DIR" ./kvs-local down >/dev/null
  rm -f "$DIR"/*.log
  mv "$DIR" "$TEMPLATE"
fi

: >"$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  rm -rf "$DIR"
  cp -a "$TEMPLATE" "$DIR"
  KVS_LOCAL_DIR="$DIR" ./kvs-local up 4 2 >/dev/null
  bench --target kvs --endpoints "$EP" --workload put --keys "$KEYS" --clients 64 --seconds "$WARM" \
    --warmup-seconds 0 >/dev/null 2>&1
  KVS_LOCAL_DIR="$DIR" ./kvs-local add >/dev/null
  update_view_timed "$DIR" add 5
  KVS_LOCAL_DIR="$DIR" ./kvs-local add >/dev/null
  [ "$PROFILE" = 0 ] || profile_nodes "$DIR" "start,event=itimer,threads"
  update_view_timed "$DIR" add 6
  line="round $round: split 2 -> $VIEW_PARTITIONS in $VIEW_MS ms, $VIEW_MOVED keys moved, $VIEW_CPU, $(
    echo "$VIEW_CPU" | awk -v ms="$VIEW_MS" '{ printf "%.2f", $1 / (ms / 1000) }') cores busy"
  echo "$line" | tee -a "$RESULTS"
  if [ "$PROFILE" = 1 ]; then
    stacks="$OUT/split-profile/round-$round"
    rm -rf "$stacks" && mkdir -p "$stacks"
    profile_nodes "$DIR" "stop,file=$stacks/%p.collapsed,collapsed"
    # Each node by its address (the most frequent in its thread names): its share of all samples,
    # and the share of its own that its JIT compiler threads took.
    for f in "$stacks"/*.collapsed; do
      node="$(grep -o '127\.0\.0\.[0-9]*_[0-9]*' "$f" | sort | uniq -c | sort -rn | awk 'NR == 1 { print $2 }' || true)"
      awk -v node="${node:-?}" '{ n = $NF; all += n; if ($0 ~ /^\[C[12] CompilerThre/) jit += n }
        END { printf "%s %d %d\n", node, all, jit }' "$f"
    done | sort | awk '{ node[NR] = $1; all[NR] = $2; jit[NR] = $3; total += $2 }
      END { for (i = 1; i <= NR; i++) printf "  %s: %.0f%% of the samples, %.0f%% of its own compiling\n",
              node[i], 100 * all[i] / total, all[i] ? 100 * jit[i] / all[i] : 0 }' | tee -a "$RESULTS"
  fi
  KVS_LOCAL_DIR="$DIR" ./kvs-local down --wipe >/dev/null
done
