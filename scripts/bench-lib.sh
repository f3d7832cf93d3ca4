# Shared by the benchmark scripts (sourced from the repository's root, after they set LOG_TAG):
# where things are, logging, the load generator, and a 3-member etcd on 127.0.0.31-33 to measure
# against.

ROOT="$(pwd)"
OUT="$ROOT/BENCH-RESULTS"
BENCH_JAR="$ROOT/kvs-bench/target/kvs-bench.jar"

now_s() { date +%s.%N; }

# The nodes' JVM options that ./kvs-local uses when KVS_JAVA_OPTS is not set.
launcher_java_opts() { sed -n 's/^JAVA_OPTS=${KVS_JAVA_OPTS:-\(.*\)}$/\1/p' kvs-local; }

# The scripts' one option: rounds_option DEFAULT USAGE_END "$@" sets ROUNDS from --rounds N
# (DEFAULT without it); anything else prints the calling script's header, lines 2 to USAGE_END.
rounds_option() {
  local usage_end="$2"
  ROUNDS="$1"
  shift 2
  while [ $# -gt 0 ]; do
    case "$1" in
      --rounds) ROUNDS="$2"; shift ;;
      *) sed -n "2,${usage_end}p" "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
    esac
    shift
  done
}

# The pids of a ./kvs-local cluster's nodes, given its directory (KVS_LOCAL_DIR).
pids_of() { cat "$1"/*.pid; }

# The resident memory of processes, in MB, summed; and the largest of one process among them.
rss_mb() { ps -o rss= -p "$(echo "$@" | tr ' ' ',')" | awk '{ s += $1 } END { printf "%d", s / 1024 }'; }
max_rss_mb() { local max=0 p r; for p in "$@"; do r="$(rss_mb "$p")"; [ "$r" -gt "$max" ] && max="$r"; done; echo "$max"; }

log() { printf '[%s %s] %s\n' "$LOG_TAG" "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The load generator's JVM compiles with C1 only: C2 would take most of a core for its first
# tens of seconds, from whichever system is being measured (kvs, 64 clients: 2,300 to 2,900
# writes/s with C2 in the load generator, 3,000 with C1 only).
bench() { java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$BENCH_JAR" "$@"; }

# async-profiler's agent library, from its jar on Maven Central (fetched into BENCH-RESULTS once);
# sets AGENT to its path.
PROFILER_VERSION=4.1
fetch_profiler() {
  local dir="$OUT/profiler"
  AGENT="$dir/linux-x64/libasyncProfiler.so"
  [ -f "$AGENT" ] && return
  log "fetching async-profiler $PROFILER_VERSION"
  mkdir -p "$dir"
  mvn -B -q dependency:copy -Dartifact="tools.profiler:async-profiler:$PROFILER_VERSION" \
    -DoutputDirectory="$dir" >"$OUT/profiler-fetch.log" 2>&1 || die "cannot fetch async-profiler (log: $OUT/profiler-fetch.log)"
  (cd "$dir" && jar xf "async-profiler-$PROFILER_VERSION.jar" linux-x64/libasyncProfiler.so)
}

# profile_nodes DIR COMMAND: gives async-profiler COMMAND (e.g. "start,event=itimer,threads", or
# "stop,file=.../%p.collapsed,collapsed": %p is the node's pid) on every node of the ./kvs-local
# cluster in DIR. fetch_profiler first.
profile_nodes() {
  local p
  for p in $(pids_of "$1"); do jcmd "$p" JVMTI.agent_load "$AGENT" "\"$2\"" >/dev/null; done
}

# Debian's etcd-server, installed if missing; apt's output goes to the file given.
install_etcd() {  # apt-log
  command -v etcd >/dev/null 2>&1 && return
  log "installing etcd-server (apt-get)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server; } >"$1" 2>&1 ||
    die "cannot install etcd-server (log: $1)"
}

ETCD_PIDS=()
# Starts a new 3-member etcd with default settings, data in DIR/e1..e3, logs beside DIR; returns
# once it has accepted a write.
start_etcd() {  # dir token
  local dir="$1" token="$2" cluster="" i t0=$SECONDS
  rm -rf "$dir"
  for i in 1 2 3; do cluster="$cluster${cluster:+,}e$i=http://127.0.0.3$i:2380"; done
  for i in 1 2 3; do
    etcd --name "e$i" --data-dir "$dir/e$i" \
      --listen-client-urls "http://127.0.0.3$i:2379" --advertise-client-urls "http://127.0.0.3$i:2379" \
      --listen-peer-urls "http://127.0.0.3$i:2380" --initial-advertise-peer-urls "http://127.0.0.3$i:2380" \
      --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token "$token" \
      --log-level error >"$dir-e$i.log" 2>&1 &
    ETCD_PIDS+=($!)
  done
  until curl -s -m 1 -X POST http://127.0.0.31:2379/v3/kv/put -d '{"key":"cHJvYmU=","value":"MQ=="}' | grep -q revision; do
    [ $((SECONDS - t0)) -lt 60 ] || die "etcd did not serve within 60 s"
    sleep 0.05
  done
}
stop_etcd() { [ ${#ETCD_PIDS[@]} -gt 0 ] && kill "${ETCD_PIDS[@]}" 2>/dev/null; wait 2>/dev/null; ETCD_PIDS=(); }

# CPU time (user and system, every thread) the given processes have used, in clock ticks
# (1/100 s); the fields are counted after the process name, which may have a space in it.
cpu_ticks() { local p; for p in "$@"; do sed 's/.*) //' /proc/"$p"/stat; done | awk '{ s += $12 + $13 } END { print s + 0 }'; }

# CPU seconds the C2 JIT compiler threads of the given processes have used.
c2_seconds() {
  local p t
  for p in "$@"; do
    for t in /proc/"$p"/task/*; do
      # utime and stime, counted as in cpu_ticks
      if [ "$(cat "$t/comm" 2>/dev/null)" = "C2 CompilerThre" ]; then
        sed 's/.*) //' "$t/stat" 2>/dev/null | awk '{ print $12 + $13 }' || true  # a thread that just ended
      fi
    done
  done | awk '{ s += $1 } END { printf "%.1f", s / 100 }'
}

# update_view_timed DIR TYPE N: update_view TYPE of node N (127.0.0.<10+N>:8080) through node 1 of
# the ./kvs-local cluster in DIR, timed; dies if it fails. Sets VIEW_MS, VIEW_PARTITIONS (as the
# answer gives them), VIEW_MOVED (the keys the change moved, from the coordinator's log: the line of
# the highest epoch) and VIEW_CPU (the CPU seconds every node used meanwhile, with the C2 compiler's share).
update_view_timed() {
  local dir="$1" type="$2" node="127.0.0.$((10 + $3)):8080" pids cpu0 c20 t0 answer
  pids="$(pids_of "$dir")"
  # shellcheck disable=SC2086
  cpu0="$(cpu_ticks $pids)" c20="$(c2_seconds $pids)"
  t0=$(date +%s%N)
  answer="$(curl -s -m 900 -X PUT "http://127.0.0.11:8080/kv-store/update_view?type=$type" -d "ip_port=$node")"
  VIEW_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "$answer" | grep -q '"success"' || die "update_view $type $node: $answer"
  # shellcheck disable=SC2086
  VIEW_CPU="$(awk -v a="$cpu0" -v b="$(cpu_ticks $pids)" -v c="$c20" -v d="$(c2_seconds $pids)" \
    'BEGIN { printf "%.1f CPU-s on the nodes, %.1f of it C2", (b - a) / 100, d - c }')"
  VIEW_PARTITIONS="$(echo "$answer" | sed -n 's/.*"number_of_partitions":\([0-9]*\).*/\1/p')"
  VIEW_MOVED="$(grep -ho 'view epoch [0-9]*: [0-9]* keys moved' "$dir"/*.log |
    awk '{ e = $3 + 0; if (e > max) { max = e; moved = $4 } } END { print moved + 0 }')"
}

# A fresh JVM compiles the hot path with C2 over minutes of load, several JVMs sharing two cores
# more slowly still, and measures far below its steady state meanwhile. So each cluster runs mixed load
# in 30 s steps until its nodes' C2 threads used under 1 CPU second in a step, or for at most
# $JVM_WARMUP seconds; prints the seconds it took.
warm_jit() {  # endpoints pid...
  local endpoints="$1" spent=0 before after
  shift
  while [ "$spent" -lt "$JVM_WARMUP" ]; do
    before="$(c2_seconds "$@")"
    bench --target kvs --endpoints "$endpoints" --workload mixed --clients 64 --seconds 30 --warmup-seconds 0 >/dev/null 2>&1
    spent=$((spent + 30))
    after="$(c2_seconds "$@")"
    log "JIT warm-up: ${spent} s, C2 compiler CPU in the last 30 s: $(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.1f", b - a }') s"
    awk -v a="$before" -v b="$after" 'BEGIN { exit !(b - a < 1.0) }' && break
  done
  echo "$spent"
}
