#!/usr/bin/env bash
# The users' path, proven end to end: the real Dockerfile and docker-compose.yml, a 4-node
# K=2 cluster on the compose network (10.0.0.0/16, host ports 8081-8084), curl through the
# published ports, containers killed, restarted and cut off the network, a node added and
# one removed. Every step asserts and prints PASS or FAIL; the first failure stops the run.
#
#   scripts/docker-e2e.sh          # exit 0 only if every step passed
#   KVS_SKIP_DOCKER=1 ./kvs-test   # the only way to leave this out of the test command
#   E2E_LOG_DIR=/tmp/e2e-logs scripts/docker-e2e.sh   # also keep every container's whole log there
#
# Where no Docker engine runs, one is installed and started (scripts/docker/engine.sh) and
# stopped again at the end. No registry is needed: local stand-ins for the Dockerfile's base
# images are made from this machine's JDK and Maven (scripts/docker/base-images.sh), unless
# images of those names exist and were made for the project's current poms. Every container, network and volume the run makes is removed,
# also when a step fails; the kvs image and the base images are kept for the next run.
set -Eeuo pipefail

cd "$(dirname "$0")/.."
HERE="$(pwd)"
PROJECT=kvse2e
COMPOSE=(docker-compose -p "$PROJECT" --profile extra -f "$HERE/docker-compose.yml")
NETWORK="${PROJECT}_kvsnet"
T0=$SECONDS
STEP=""
STARTED_ENGINE=0
FAILED=""

say() { printf '[docker-e2e %4ds] %s\n' "$((SECONDS - T0))" "$*"; }
step() { STEP="$*"; say "---- $STEP"; }
pass() { say "PASS: $STEP${1:+ ($1)}"; }
fail() {
  say "FAIL: $STEP: $*"
  FAILED=1
  exit 1
}
trap 'ERR_AT="line $LINENO: $BASH_COMMAND"' ERR

cleanup() {
  local rc=$?
  trap - EXIT ERR
  set +e
  if [ "$rc" -ne 0 ] && [ -z "$FAILED" ]; then
    say "FAIL: $STEP: exit status $rc at ${ERR_AT:-an unknown line}"
  fi
  if [ "$rc" -ne 0 ] && docker info >/dev/null 2>&1; then
    say "logs of the cluster's containers, last lines each:"
    for s in node1 node2 node3 node4 node5; do
      local id
      id="$("${COMPOSE[@]}" ps -q "$s" 2>/dev/null)"
      [ -n "$id" ] && docker logs --tail 15 "$id" 2>&1 | sed "s/^/  $s | /"
    done
  fi
  if [ -n "${E2E_LOG_DIR:-}" ] && docker info >/dev/null 2>&1; then
    mkdir -p "$E2E_LOG_DIR"
    for s in node1 node2 node3 node4 node5; do
      local id
      id="$("${COMPOSE[@]}" ps -aq "$s" 2>/dev/null)"
      [ -n "$id" ] && docker logs -t "$id" >"$E2E_LOG_DIR/$s.log" 2>&1
    done
    say "whole logs of the containers kept in $E2E_LOG_DIR"
  fi
  if docker info >/dev/null 2>&1; then
    "${COMPOSE[@]}" down -v --remove-orphans --timeout 5 >/dev/null 2>&1
    docker ps -aq --filter "label=com.docker.compose.project=$PROJECT" | xargs -r docker rm -f >/dev/null 2>&1
    docker volume ls -q --filter "label=com.docker.compose.project=$PROJECT" | xargs -r docker volume rm >/dev/null 2>&1
    docker network rm "$NETWORK" "${PROJECT}_run" >/dev/null 2>&1
    say "removed the run's containers, network and volumes"
  fi
  if [ "$STARTED_ENGINE" = 1 ]; then
    scripts/docker/engine.sh stop
  fi
  if [ "$rc" -eq 0 ]; then
    say "ALL PASSED in $((SECONDS - T0)) s"
  else
    say "FAILED at: $STEP"
  fi
  exit "$rc"
}
trap cleanup EXIT

# ------------------------------------------------------------------------------ HTTP

BODY=""
CODE=""
MILLIS=0
# http METHOD PORT PATH [curl -d args...]: sets CODE, BODY and MILLIS; never fails itself. A request
# gets 5 s, or HTTP_TIMEOUT seconds: update_view answers only once the change is done (CONTRACT
# section 5), which takes longer where a new member of a group must catch up first.
http() {
  local method="$1" port="$2" path="$3" out
  shift 3
  local data=()
  for d in "$@"; do data+=(--data-urlencode "$d"); done
  out="$(curl -s -m "${HTTP_TIMEOUT:-5}" -X "$method" -w '\n%{http_code} %{time_total}' "${data[@]}" \
    "http://127.0.0.1:$port$path" 2>/dev/null)" || true
  BODY="$(printf '%s' "$out" | sed '$d')"
  CODE="$(printf '%s' "$out" | tail -n1 | cut -d' ' -f1)"
  MILLIS="$(printf '%s' "$out" | tail -n1 | awk '{ printf "%d", $2 * 1000 }')"
  [ -n "$CODE" ] || CODE=000
}

# json FIELD: the value of a top-level field of BODY (a string unquoted, a number, a list as text).
json() {
  printf '%s' "$BODY" | sed -n "s/.*\"$1\":\(\"\([^\"]*\)\"\|\[[^]]*\]\|-\{0,1\}[0-9][0-9]*\).*/\1/p" |
    sed 's/^"\(.*\)"$/\1/'
}

expect_code() {  # what expected-codes...
  local what="$1" c
  shift
  for c in "$@"; do [ "$CODE" = "$c" ] && return 0; done
  fail "$what: HTTP $CODE, wanted $*: $BODY"
}

port_of() { echo $((8080 + ${1##*.} - 20)); }   # 10.0.0.2N -> 808N
service_of() { echo "node$((${1##*.} - 20))"; }  # 10.0.0.2N -> nodeN
container_of() { "${COMPOSE[@]}" ps -q "$1"; }

# poll SECONDS DESCRIPTION COMMAND...: runs the command until it succeeds, or fails the step.
poll() {
  local limit="$1" what="$2" end=$((SECONDS + $1))
  shift 2
  until "$@"; do
    [ "$SECONDS" -lt "$end" ] || fail "$what: not within $limit s (last: HTTP $CODE $BODY)"
    sleep 0.5
  done
}

# ----------------------------------------------------------------------- the cluster

declare -A VALUE=()      # key -> the value last written
declare -A OWNER=()      # key -> partition id
PAYLOAD=""

answers() {  # port: the node's process serves (GET /health), ready or not
  http GET "$1" /health
  [ "$CODE" = 200 ]
}

healthy() {
  local s state
  for s in "$@"; do
    state="$(docker inspect -f '{{.State.Health.Status}}' "$(container_of "$s")" 2>/dev/null)" || return 1
    [ "$state" = healthy ] || return 1
  done
}

put_key() {  # port key value
  http PUT "$1" "/kv-store/$2" "val=$3" "causal_payload=$PAYLOAD"
  expect_code "PUT $2 through port $1" 200 201
  VALUE[$2]="$3"
  OWNER[$2]="$(json partition_id)"
  PAYLOAD="$(json causal_payload)"
}

reads_back() {  # port key: GET returns the key's last value and owner
  http GET "$1" "/kv-store/$2" "causal_payload=$PAYLOAD"
  [ "$CODE" = 200 ] && [ "$(json value)" = "${VALUE[$2]}" ] && [ "$(json partition_id)" = "${OWNER[$2]}" ]
}

MISS=""  # the last key all_read_back did not get back, and where
all_read_back() {  # port...: every key written so far, through each port
  local port key
  for port in "$@"; do
    for key in "${!VALUE[@]}"; do
      reads_back "$port" "$key" || { MISS="$key through port $port"; return 1; }
    done
  done
}

keys_of() {  # partition id -> its keys
  local key
  for key in "${!OWNER[@]}"; do [ "${OWNER[$key]}" = "$1" ] && echo "$key"; done
  return 0
}

members_of() {  # port partition-id -> the members' addresses, without ports: "ip ip"
  http GET "$1" /kv-store/get_partition_members "partition_id=$2"
  expect_code "members of partition $2" 200
  json partition_members | tr -d '[]"' | tr ',' ' ' | sed 's/:[0-9]*//g'
}

# Every port reports the same partitions with the same members, and the expected count.
views_agree() {  # expected-partition-count port...
  local want="$1" first="" port ids p view
  shift
  for port in "$@"; do
    http GET "$port" /kv-store/get_all_partition_ids
    [ "$CODE" = 200 ] || return 1
    ids="$(json partition_id_list)"
    view="$ids"
    for p in $(echo "$ids" | tr -d '[]' | tr ',' ' '); do
      http GET "$port" /kv-store/get_partition_members "partition_id=$p"
      [ "$CODE" = 200 ] || return 1
      view="$view $(json partition_members)"
    done
    [ -z "$first" ] && first="$view"
    [ "$view" = "$first" ] || return 1
  done
  [ "$(echo "$ids" | tr -d '[]' | tr ',' '\n' | grep -c .)" = "$want" ]
}

# -------------------------------------------------------------------------- the steps

if [ "${KVS_SKIP_DOCKER:-}" = 1 ]; then
  say "KVS_SKIP_DOCKER=1: skipped"
  trap - EXIT
  exit 0
fi

step "Docker engine"
scripts/docker/engine.sh status >/dev/null 2>&1 || { docker info >/dev/null 2>&1 || STARTED_ENGINE=1; }
eval "$(scripts/docker/engine.sh start)" || fail "no Docker engine could be started here"
docker info >/dev/null 2>&1 || fail "the engine does not answer at ${DOCKER_HOST:-the default socket}"
pass "$(docker info --format '{{.ServerVersion}}, {{.Driver}}')$([ "$STARTED_ENGINE" = 1 ] && echo ', started by this run')"

step "base images of the Dockerfile"
# Quick when they exist and match the project's poms; rebuilt (offline repository included) when not.
scripts/docker/base-images.sh || fail "could not make the base images"
pass "$(sed -n 's/^FROM \([^ ]*\).*/\1/p' Dockerfile | tr '\n' ' ')"

step "image builds from the Dockerfile"
"${COMPOSE[@]}" down -v --remove-orphans --timeout 5 >/dev/null 2>&1 || true
build_start=$SECONDS
"${COMPOSE[@]}" build node1 >"${TMPDIR:-/tmp}/kvs-e2e-build.log" 2>&1 ||
  { tail -n 30 "${TMPDIR:-/tmp}/kvs-e2e-build.log"; fail "docker-compose build failed"; }
uid="$(docker run --rm --entrypoint id kvs:latest -u)"
[ "$uid" != 0 ] || fail "the image runs as root"
pass "kvs:latest in $((SECONDS - build_start)) s, $(docker image inspect -f '{{.Size}}' kvs:latest | awk '{ printf "%d MB", $1 / 1e6 }'), runs as uid $uid"

step "docker run as the spec shows: a one-node cluster on a user network"
docker network create --subnet=10.1.0.0/16 "${PROJECT}_run" >/dev/null
docker run -d --name "${PROJECT}_run1" --label "com.docker.compose.project=$PROJECT" -p 8090:8080 \
  --net="${PROJECT}_run" --ip=10.1.0.21 -e K=1 -e VIEW=10.1.0.21:8080 -e IPPORT=10.1.0.21:8080 kvs:latest >/dev/null
poll 30 "the node to serve a write" eval 'http PUT 8090 /kv-store/hello val=world causal_payload=; [ "$CODE" = 201 ]'
http GET 8090 /kv-store/hello "causal_payload="
[ "$CODE" = 200 ] && [ "$(json value)" = world ] || fail "GET hello: HTTP $CODE $BODY"
docker rm -f "${PROJECT}_run1" >/dev/null
docker network rm "${PROJECT}_run" >/dev/null
pass

step "docker-compose up: 4 nodes, K=2, healthy"
"${COMPOSE[@]}" up -d --no-build node1 node2 node3 node4 >/dev/null 2>&1 || fail "docker-compose up failed"
poll 60 "all four containers healthy" healthy node1 node2 node3 node4
pass "healthy after $((SECONDS - build_start)) s from the build"

step "the cluster serves: 2 partitions, the same view on every node"
poll 20 "every node to report the same 2 partitions" views_agree 2 8081 8082 8083 8084
pass

step "writes and reads through every node"
for i in $(seq 1 16); do
  put_key $((8081 + i % 4)) "key$i" "value$i"
done
all_read_back 8081 8082 8083 8084 || fail "$MISS: HTTP $CODE $BODY"
[ -n "$(keys_of 0)" ] && [ -n "$(keys_of 1)" ] || fail "16 keys did not reach both partitions"
pass "16 keys, $(keys_of 0 | wc -l) in partition 0, $(keys_of 1 | wc -l) in partition 1"

step "the kvs client in the image, and the status page"
status_out="$(docker exec "$(container_of node2)" kvs status 2>&1)" || fail "kvs status: $status_out"
echo "$status_out" | grep -q "4 nodes, K=2, 2 partitions" || fail "kvs status printed: $status_out"
read_out="$(docker exec "$(container_of node3)" kvs get key1 2>&1)" || fail "kvs get key1: $read_out"
[ "$read_out" = value1 ] || fail "kvs get key1 printed: $read_out"
status_page() { http GET 8081 /; [ "$CODE" = 200 ] && grep -q "<title>kvs status</title>" <<<"$BODY"; }
poll 15 "no status page at /" status_page
pass

step "docker kill both members of partition 0: its keys 503 fast, partition 1 serves"
read -r -a DOWN <<<"$(members_of 8081 0)"
read -r -a UP <<<"$(members_of 8081 1)"
[ "${#DOWN[@]}" = 2 ] && [ "${#UP[@]}" = 2 ] || fail "partition members: '${DOWN[*]}' and '${UP[*]}'"
UP_PORT="$(port_of "${UP[0]}")"
docker kill "$(container_of "$(service_of "${DOWN[0]}")")" "$(container_of "$(service_of "${DOWN[1]}")")" >/dev/null
for key in $(keys_of 0); do
  http GET "$UP_PORT" "/kv-store/$key" "causal_payload="
  expect_code "GET $key of the dead partition" 503
  [ "$MILLIS" -lt 1500 ] || fail "GET $key took $MILLIS ms"
done
SLOWEST=0
for key in $(keys_of 1); do
  put_key "$UP_PORT" "$key" "after-kill-$key"
  [ "$MILLIS" -gt "$SLOWEST" ] && SLOWEST=$MILLIS
  reads_back "$(port_of "${UP[1]}")" "$key" || fail "GET $key through ${UP[1]}: HTTP $CODE $BODY"
done
pass "${DOWN[*]} killed; the slowest write to partition 1 took $SLOWEST ms"

step "docker start them again: nothing lost"
docker start "$(container_of "$(service_of "${DOWN[0]}")")" "$(container_of "$(service_of "${DOWN[1]}")")" >/dev/null
poll 60 "the restarted containers healthy" healthy "$(service_of "${DOWN[0]}")" "$(service_of "${DOWN[1]}")"
poll 30 "every key back with its last value" all_read_back 8081 8082 8083 8084
pass

step "docker network disconnect a member of partition 1, write, reconnect: on both members in 5 s"
A="${UP[0]}"
B="${UP[1]}"
VIA="$(port_of "${DOWN[0]}")"
mapfile -t KEYS1 < <(keys_of 1)
KEY="${KEYS1[0]}"
docker network disconnect "$NETWORK" "$(container_of "$(service_of "$A")")"
put_key "$VIA" "$KEY" "while-$A-was-cut"
docker network connect --ip "$A" "$NETWORK" "$(container_of "$(service_of "$A")")"
sleep 5 # the contract's staleness bound is what is tested: the write must be on A by now
docker network disconnect "$NETWORK" "$(container_of "$(service_of "$B")")"
reads_back "$VIA" "$KEY" || fail "with $B cut, $A answered HTTP $CODE $BODY for $KEY"
docker network connect --ip "$B" "$NETWORK" "$(container_of "$(service_of "$B")")"
poll 30 "every key through every node after the heal" all_read_back 8081 8082 8083 8084
pass "$KEY read from $A alone"

step "add a node started with only K and IPPORT"
"${COMPOSE[@]}" up -d --no-build node5 >/dev/null 2>&1 || fail "docker-compose up node5 failed"
poll 60 "node5 to answer" answers 8085
http GET 8085 /kv-store/key1 "causal_payload="
expect_code "a node not yet added" 503
http GET 8085 /ready
expect_code "a node not yet added is not ready" 503
HTTP_TIMEOUT=60 http PUT 8082 "/kv-store/update_view?type=add" "ip_port=10.0.0.25:8080"
expect_code "update_view add" 200
[ "$(json partition_id)" = -1 ] && [ "$(json number_of_partitions)" = 2 ] || fail "add answered $BODY"
poll 20 "five nodes to agree on 2 partitions" views_agree 2 8081 8082 8083 8084 8085
poll 60 "node5 healthy once added" healthy node5
all_read_back 8085 || fail "$MISS: HTTP $CODE $BODY"
pass "a proxy; 2 partitions"

step "remove a node"
HTTP_TIMEOUT=60 http PUT 8085 "/kv-store/update_view?type=remove" "ip_port=${DOWN[0]}:8080"
expect_code "update_view remove" 200
[ "$(json number_of_partitions)" = 2 ] || fail "remove answered $BODY"
REMAINING=()
for p in 8081 8082 8083 8084 8085; do [ "$p" != "$(port_of "${DOWN[0]}")" ] && REMAINING+=("$p"); done
poll 20 "the remaining nodes to agree on 2 partitions" views_agree 2 "${REMAINING[@]}"
[[ " $(members_of 8085 0) " == *" 10.0.0.25 "* ]] || fail "the proxy did not replace ${DOWN[0]} in partition 0"
poll 30 "every key through every remaining node" all_read_back "${REMAINING[@]}"
http GET "$(port_of "${DOWN[0]}")" /kv-store/key1 "causal_payload="
expect_code "the removed node" 503
pass "${DOWN[0]} removed, 10.0.0.25 took its place"
