#!/usr/bin/env bash
# Start or stop a private Docker engine for tests and CI on a machine that has no engine
# running (and no systemd to start one).
#
#   eval "$(scripts/docker/engine.sh start)"   # prints: export DOCKER_HOST=unix://...
#   scripts/docker/engine.sh status
#   scripts/docker/engine.sh stop [--purge]      # --purge also deletes images and volumes
#
# Environment:
#   KVS_DOCKER_STATE          state dir (default /tmp/kvs-docker): data-root, exec-root,
#                             socket, pidfile, dockerd.log, marker file
#   KVS_DOCKER_START_TIMEOUT  seconds to wait for `docker info` (default 60)
#   KVS_DOCKER_STOP_TIMEOUT   seconds to wait after SIGTERM before SIGKILL (default 30)
#   KVS_DOCKERD_EXTRA_ARGS    extra dockerd flags, word-split (e.g. "--storage-driver=vfs")
#
# stdout carries only the export line, so `eval "$(... start)"` is safe; progress goes
# to stderr.
set -euo pipefail

STATE="${KVS_DOCKER_STATE:-/tmp/kvs-docker}"
SOCK="$STATE/docker.sock"
PIDFILE="$STATE/dockerd.pid"
MARKER="$STATE/started-by-engine-sh"
LOG="$STATE/dockerd.log"
START_TIMEOUT="${KVS_DOCKER_START_TIMEOUT:-60}"
STOP_TIMEOUT="${KVS_DOCKER_STOP_TIMEOUT:-30}"

log() { printf 'engine.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# `docker info` against a given host; bounded so a wedged socket cannot hang CI.
engine_answers() {
  DOCKER_HOST="$1" timeout 10 docker info --format '{{.ServerVersion}}' >/dev/null 2>&1
}

marker_get() {  # key -> value from the marker file (key=value lines)
  [ -f "$MARKER" ] || return 0
  sed -n "s/^$1=//p" "$MARKER" | head -n1
}

# A PID is "ours" only if it is still a dockerd whose command line names our state dir:
# guards against PID reuse after a crash or reboot.
our_dockerd_alive() {
  local pid="$1"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "--pidfile=$PIDFILE"
}

install_if_missing() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker >/dev/null 2>&1 || missing+=(docker.io)
  command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} (apt-get)"
  mkdir -p "$STATE"
  # Lists may be absent or stale on a fresh machine, so always update before installing.
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
           -o Dpkg::Use-Pty=0 "${missing[@]}"; } >"$STATE/apt.log" 2>&1; then
    tail -n 20 "$STATE/apt.log" >&2
    die "apt-get install ${missing[*]} failed (log: $STATE/apt.log)"
  fi
}

# ---------------------------------------------------------------------------- cleanup

descendants() {  # pid -> all descendant pids, children first
  ps -e -o pid=,ppid= | awk -v root="$1" '
    { kids[$2] = kids[$2] " " $1 }
    END { walk(root) }
    function walk(p,   n, a, i) { n = split(kids[p], a, " "); for (i = 1; i <= n; i++) { print a[i]; walk(a[i]) } }'
}

# After a SIGKILL, containerd, its shims and the containers under them outlive dockerd.
# They are found by the sockets under our exec-root that they were started with, never
# by name alone.
kill_leftover_processes() {
  local p comm pids=()
  for p in /proc/[0-9]*; do
    p="${p#/proc/}"
    comm="$(cat "/proc/$p/comm" 2>/dev/null)" || continue
    case "$comm" in containerd|containerd-shim*|dockerd) ;; *) continue ;; esac
    if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF -- "$STATE/"; then
      pids+=("$p")
    fi
  done
  [ ${#pids[@]} -eq 0 ] && return 0
  log "killing leftover engine processes: ${pids[*]} (and their children)"
  for p in "${pids[@]}"; do
    # shellcheck disable=SC2046  # one pid per word
    kill -9 $(descendants "$p") "$p" 2>/dev/null || true
  done
  sleep 0.5
}

unmount_leftovers() {
  local m
  # Deepest first; mountinfo field 5 is the mount point.
  awk -v s="$STATE/" 'index($5, s) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while IFS= read -r m; do
      umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "warning: cannot unmount $m"
    done
}

# Docker names its bridges docker0 and br-<12 hex digits of the network id>.
docker_bridges() {
  ip -o link show type bridge 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' |
    grep -E '^(docker0|br-[0-9a-f]{12})$' || true
}

remove_links() {
  local br port
  command -v ip >/dev/null 2>&1 || return 0
  for br in $(docker_bridges); do
    # Container veths normally vanish with their namespaces; a killed engine may leave some.
    for port in $(ip -o link show master "$br" 2>/dev/null | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
      ip link delete "$port" 2>/dev/null || true
    done
    ip link delete "$br" 2>/dev/null && log "removed bridge $br"
  done
  return 0
}

# Deletes the rules dockerd put into other chains (jumps to DOCKER*, rules on docker0 or
# br-* bridges, the per-port hairpin MASQUERADE rules), then dockerd's own chains.
# Rules anyone else added (e.g. the project's fault-injection tests) are left alone.
remove_iptables_for() {
  local ipt="$1" table rule chain args
  command -v "$ipt" >/dev/null 2>&1 || return 0
  local match='(-j|-g) DOCKER|-[io] (docker0|br-[0-9a-f]{12})( |$)'
  local hairpin='^-A POSTROUTING -s ([0-9a-f.:]+)/(32|128) -d \1/(32|128) -p (tcp|udp|sctp) -m (tcp|udp|sctp) --dport [0-9]+ -j MASQUERADE$'
  for table in filter nat mangle raw; do
    "$ipt" -w -t "$table" -S >/dev/null 2>&1 || continue
    # awk, not grep: a table with no matching rule must not fail the pipeline (pipefail).
    "$ipt" -w -t "$table" -S | awk '/^-A / && !/^-A DOCKER/' |
      { grep -E -e "$match" -e "$hairpin" || true; } |
      while IFS= read -r rule; do
        read -r -a args <<<"${rule#-A }"
        "$ipt" -w -t "$table" -D "${args[@]}" 2>/dev/null || true
      done
    # Chains reference each other: flush them all before deleting any.
    for chain in $("$ipt" -w -t "$table" -S | awk '$1 == "-N" && $2 ~ /^DOCKER/ { print $2 }'); do
      "$ipt" -w -t "$table" -F "$chain" 2>/dev/null || true
    done
    for chain in $("$ipt" -w -t "$table" -S | awk '$1 == "-N" && $2 ~ /^DOCKER/ { print $2 }'); do
      "$ipt" -w -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
}

restore_host_settings() {
  local v
  # dockerd sets the FORWARD policy to DROP and turns on ip_forward. With
  # bridge-nf-call-iptables=1 (as here) a DROP policy also drops traffic across any other
  # Linux bridge, e.g. the network namespaces of the project's fault tests.
  v="$(marker_get forward_policy)"
  if [ -n "$v" ] && command -v iptables >/dev/null 2>&1; then
    iptables -w -P FORWARD "$v" 2>/dev/null || true
  fi
  v="$(marker_get ip_forward)"
  if [ -n "$v" ]; then sysctl -qw "net.ipv4.ip_forward=$v" 2>/dev/null || true; fi
}

# ------------------------------------------------------------------------- subcommands

cmd_start() {
  install_if_missing
  mkdir -p "$STATE"
  exec 9>"$STATE/lock"
  flock -w "$START_TIMEOUT" 9 || die "another engine.sh holds $STATE/lock"

  # Our own daemon from an earlier start, still healthy: reuse it.
  if our_dockerd_alive "$(marker_get pid)" && engine_answers "unix://$SOCK"; then
    log "engine already running (pid $(marker_get pid), started by engine.sh)"
    echo "export DOCKER_HOST=unix://$SOCK"
    return 0
  fi
  # Someone else's engine: use it, and leave it alone on stop.
  local host="${DOCKER_HOST:-unix:///var/run/docker.sock}"
  if engine_answers "$host"; then
    log "an engine already answers at $host; not starting one"
    echo "export DOCKER_HOST=$host"
    return 0
  fi
  # A marker without a live daemon: an earlier daemon died or was killed. Tidy up first so
  # the new one starts from a clean exec-root, network and firewall.
  if [ -f "$MARKER" ]; then
    log "previous engine.sh daemon is gone; cleaning up after it"
    cleanup_after_daemon
  fi

  command -v iptables >/dev/null 2>&1 || log "warning: iptables not found; dockerd may refuse to start"
  rm -rf "$STATE/exec" "$SOCK" "$PIDFILE"
  mkdir -p "$STATE/data" "$STATE/exec"

  # Record what dockerd will change, so stop can put it back.
  local fwd_policy="" ip_fwd
  if command -v iptables >/dev/null 2>&1; then
    fwd_policy="$(iptables -w -S FORWARD 2>/dev/null | awk '$1 == "-P" { print $3 }')"
  fi
  ip_fwd="$(sysctl -n net.ipv4.ip_forward 2>/dev/null || echo 0)"

  local extra=()
  # shellcheck disable=SC2206  # word splitting of the user's flags is the point
  [ -n "${KVS_DOCKERD_EXTRA_ARGS:-}" ] && extra=(${KVS_DOCKERD_EXTRA_ARGS})

  local t0 t1
  t0="$(date +%s%N)"
  # setsid+nohup: the daemon must outlive this script and the CI step's process group;
  # 9>&- so it does not inherit (and hold forever) our lock.
  # No --storage-driver: dockerd picks overlay2 on ext4 and falls back by itself (e.g. vfs
  # when the state dir is on overlayfs). --shutdown-timeout stays below our stop deadline
  # so a SIGTERM normally ends in a clean shutdown.
  setsid nohup dockerd \
    --data-root="$STATE/data" \
    --exec-root="$STATE/exec" \
    --pidfile="$PIDFILE" \
    --host="unix://$SOCK" \
    --shutdown-timeout=10 \
    "${extra[@]}" \
    </dev/null >>"$LOG" 2>&1 9>&- &
  local pid=$!
  # Written before waiting, so even a half-started daemon is cleaned up by stop.
  {
    echo "pid=$pid"
    echo "forward_policy=$fwd_policy"
    echo "ip_forward=$ip_fwd"
    echo "started=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  } >"$MARKER"

  local deadline=$((SECONDS + START_TIMEOUT))
  until engine_answers "unix://$SOCK"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$LOG" >&2
      cleanup_after_daemon
      die "dockerd exited during startup (log: $LOG)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 30 "$LOG" >&2
      cmd_stop
      die "dockerd did not answer within ${START_TIMEOUT}s (log: $LOG)"
    fi
    sleep 0.25
  done
  t1="$(date +%s%N)"
  log "dockerd pid $pid ready in $(( (t1 - t0) / 1000000 )) ms" \
      "(storage driver: $(DOCKER_HOST="unix://$SOCK" docker info --format '{{.Driver}}' 2>/dev/null))"
  echo "export DOCKER_HOST=unix://$SOCK"
}

# Whether a live (not zombie) process has a name matching the glob. Zombies are excluded:
# PID 1 here reaps orphans late, so a dockerd we just stopped lingers as <defunct>.
live_process_named() {
  local stat comm
  while read -r stat comm; do
    # shellcheck disable=SC2053  # $1 is a glob on purpose
    [[ "$stat" != Z* && "$comm" == $1 ]] && return 0
  done < <(ps -e -o stat=,comm=)
  return 1
}

other_dockerd_running() { live_process_named dockerd; }

# Everything a dead (or just stopped) daemon of ours leaves behind.
cleanup_after_daemon() {
  kill_leftover_processes
  unmount_leftovers
  # Bridges and firewall chains are shared by name with any other engine on the host:
  # only remove them when no dockerd at all is left running.
  if other_dockerd_running; then
    log "another dockerd is running; leaving bridges and iptables chains alone"
  else
    remove_links
    remove_iptables_for iptables
    remove_iptables_for ip6tables
    restore_host_settings
    # dockerd creates its plugin discovery dir, and the shims their sockets, at fixed paths
    # whatever --exec-root says; killed shims leave their sockets behind.
    rmdir /run/docker/plugins /run/docker 2>/dev/null || true
    if ! live_process_named 'containerd*'; then
      find /run/containerd/s -maxdepth 1 -type s -delete 2>/dev/null || true
      rmdir /run/containerd/s /run/containerd 2>/dev/null || true
    fi
  fi
  rm -rf "$STATE/exec" "$SOCK" "$PIDFILE" "$MARKER"
}

cmd_stop() {
  local purge=0
  [ "${1:-}" = "--purge" ] && purge=1
  if [ ! -f "$MARKER" ]; then
    log "no engine started by engine.sh in $STATE; nothing to stop"
  else
    local pid
    pid="$(marker_get pid)"
    if our_dockerd_alive "$pid"; then
      log "stopping dockerd pid $pid"
      kill -TERM "$pid" 2>/dev/null || true
      local deadline=$((SECONDS + STOP_TIMEOUT))
      while our_dockerd_alive "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.25; done
      if our_dockerd_alive "$pid"; then
        log "dockerd did not stop within ${STOP_TIMEOUT}s; sending SIGKILL"
        # Its direct children (containerd, docker-proxy) would be orphaned: kill them too.
        # shellcheck disable=SC2046
        kill -9 $(descendants "$pid") "$pid" 2>/dev/null || true
        sleep 0.5
      fi
    fi
    cleanup_after_daemon
    log "stopped"
  fi
  if [ "$purge" = 1 ]; then
    unmount_leftovers
    rm -rf "$STATE/data"
    log "purged $STATE/data"
  fi
}

cmd_status() {
  local pid
  pid="$(marker_get pid)"
  if our_dockerd_alive "$pid" && engine_answers "unix://$SOCK"; then
    echo "running: pid $pid, DOCKER_HOST=unix://$SOCK"
  elif [ -f "$MARKER" ]; then
    echo "not answering (marker present, pid ${pid:-?}); run: $0 stop"
    return 1
  else
    echo "not started by engine.sh (state $STATE)"
    return 1
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) shift; cmd_stop "$@" ;;
  status) cmd_status ;;
  *) echo "usage: $0 start | stop [--purge] | status" >&2; exit 2 ;;
esac
