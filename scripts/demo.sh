#!/usr/bin/env bash
# The first thing to run. Builds warden if needed, then on 127.0.0.1 only:
#
#   etcd  +  three warden-agents (n1, n2, n3), each with its own PostgreSQL 15  +  HAProxy
#
# shows the cluster with `wardenctl list`, writes through HAProxy, kills the primary (agent and
# PostgreSQL, kill -9), narrates the failover as it happens, shows the new topology, brings the
# old primary back as a replica, and removes everything again (also on Ctrl-C or an error).
#
#   scripts/demo.sh                              # missing Debian packages are installed (sudo)
#   WARDEN_BUILD_DIR=build-rel scripts/demo.sh   # the build directory (default: build)
#   WARDEN_DEMO_KEEP=1 scripts/demo.sh           # keep the logs and data directories
#
# It takes about a minute. Nothing is left running: every process it starts is stopped by its
# pid, and its temporary directory is removed (unless WARDEN_DEMO_KEEP=1).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${WARDEN_BUILD_DIR:-build}
agent_bin=$build/examples/warden-agent
ctl_bin=$build/examples/wardenctl/wardenctl
pg_bin=/usr/lib/postgresql/15/bin

# The cluster's passwords. Demo values: don't reuse them.
superuser="admin"
superuser_password=demo-admin
replication_password=demo-replicator

# Short timings so the failover fits into a demo: Patroni's defaults are ttl 30, loop_wait 10,
# retry_timeout 10, so a real cluster takes about three times as long to notice a dead primary.
ttl=10
loop_wait=2
retry_timeout=3

nodes=(n1 n2 n3)

# ---------------------------------------------------------------------------------------------
# Output helpers

bold=""
dim=""
reset=""
if [[ -t 1 ]]; then
  bold=$'\e[1m'
  dim=$'\e[2m'
  reset=$'\e[0m'
fi

section() { printf '\n%s== %s ==%s\n' "$bold" "$*" "$reset"; }
say() { printf '  %s\n' "$*"; }

# Milliseconds since the epoch, without forking.
now_ms() {
  local us=${EPOCHREALTIME/[.,]/}
  echo $((us / 1000))
}

# 12345 -> "12.3s"
secs() { printf '%d.%ds' $(($1 / 1000)) $(($1 % 1000 / 100)); }

# Prints the message and the last lines of the given logs, then exits (cleanup runs on EXIT).
die() {
  local message=$1
  shift
  died=1
  printf '\n%sdemo failed:%s %s\n' "$bold" "$reset" "$message" >&2
  local log
  for log in "$@"; do
    [[ -s $log ]] || continue
    printf '\n  --- last lines of %s ---\n' "$(basename "$log")" >&2
    tail -n 15 "$log" | sed 's/^/  /' >&2
  done
  exit 1
}

# ---------------------------------------------------------------------------------------------
# Processes, and cleaning them up

work=""
build_pid=""
watch_pid=""
etcd_pid=""
haproxy_pid=""
declare -A agent_pid=()

# The postmaster's pid: the first line of its postmaster.pid.
postmaster_pid() {
  local file=$work/$1/data/postmaster.pid pid=""
  [[ -r $file ]] && read -r pid <"$file"
  [[ $pid =~ ^[0-9]+$ ]] && echo "$pid"
  return 0
}

# SIGKILLs the process and reaps it if it is our child, quietly: without the redirection of the
# whole group bash may announce "Killed" on the terminal.
stop_pid() {
  local pid=$1
  [[ -n $pid ]] || return 0
  {
    kill -KILL "$pid" || true
    wait "$pid" || true
  } 2>/dev/null
}

# Kills a node's PostgreSQL: warden starts the postmaster as the leader of its own process group,
# so killing the group takes its backends with it.
stop_postgres() {
  local pid
  pid=$(postmaster_pid "$1")
  [[ -n $pid ]] || return 0
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [[ -n $work ]] || exit "$rc"
  if ((rc != 0 && rc != 130 && rc != 143)) && [[ -z ${died:-} ]]; then
    printf '\n%sdemo failed%s (exit status %d); the agents'"'"' last log lines:\n' "$bold" "$reset" "$rc" >&2
    local node
    for node in "${nodes[@]}"; do
      [[ -s $work/$node.log ]] || continue
      printf '\n  --- %s ---\n' "$node" >&2
      tail -n 10 "$work/$node.log" | sed 's/^/  /' >&2
    done
  fi
  printf '\n%s== Cleaning up ==%s\n' "$bold" "$reset"
  if [[ -n $build_pid ]]; then
    {
      kill -TERM -- "-$build_pid" || true
      wait "$build_pid" || true
    } 2>/dev/null
    say "stopped the build"
  fi
  local node
  for node in "${!agent_pid[@]}"; do stop_pid "${agent_pid[$node]}"; done
  for node in "${nodes[@]}"; do stop_postgres "$node"; done
  stop_pid "$haproxy_pid"
  [[ -z $watch_pid ]] || kill -KILL -- "-$watch_pid" 2>/dev/null || true
  stop_pid "$etcd_pid"
  # Anything else still running from our directory (say a pg_basebackup an agent had started).
  local pid
  for pid in $(pgrep -f -- "$work/" 2>/dev/null || true); do kill -KILL "$pid" 2>/dev/null || true; done
  [[ -z $etcd_pid ]] || say "stopped etcd, HAProxy, the agents and their PostgreSQL servers"
  if [[ ${WARDEN_DEMO_KEEP:-} == 1 ]]; then
    say "kept the logs, configurations and data directories in $work"
  else
    rm -rf -- "$work"
    say "removed $work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'printf "\n  interrupted\n"; exit 130' INT
trap 'printf "\n  terminated\n"; exit 143' TERM

# Picks `count` distinct free TCP ports on 127.0.0.1.
free_ports() {
  local count=$1
  if command -v python3 >/dev/null; then
    python3 - "$count" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
    return
  fi
  # No python3: random ports below the ephemeral range that nothing answers on.
  local ports=() port
  while ((${#ports[@]} < count)); do
    port=$((20000 + RANDOM % 12000))
    [[ " ${ports[*]} " == *" $port "* ]] && continue
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
    ports+=("$port")
  done
  echo "${ports[*]}"
}

# HTTP status of a GET on a node's REST API ("000" if it does not answer).
rest_status() {
  curl -s -o /dev/null -m 1 -w '%{http_code}' "http://127.0.0.1:${rest_port[$1]}$2" || true
}

# Runs SQL as the superuser on 127.0.0.1:port; prints the rows unaligned, fields split by '|'.
sql() {
  local port=$1
  shift
  PGPASSWORD=$superuser_password psql -X -A -t -q -v ON_ERROR_STOP=1 \
    "host=127.0.0.1 port=$port user=$superuser dbname=postgres connect_timeout=1" "$@"
}

node_of_pg_port() {
  local node
  for node in "${nodes[@]}"; do
    [[ ${pg_port[$node]} == "$1" ]] && echo "$node" && return
  done
  echo "port $1"
}

# Waits up to `seconds` for `command...` to succeed.
wait_for() {
  local seconds=$1
  shift
  local deadline=$(($(now_ms) + seconds * 1000))
  until "$@"; do
    (($(now_ms) < deadline)) || return 1
    sleep 0.2
  done
}

ctl() { "$ctl_bin" -c "$work/n1.yml" "$@"; }

# ---------------------------------------------------------------------------------------------
section "1. Build"

# shellcheck source=scripts/lib/deps.sh
source scripts/lib/deps.sh
warden_install_deps

work=$(mktemp -d "${TMPDIR:-/tmp}/warden-demo-XXXXXX")
chmod 755 "$work" # PostgreSQL runs as postgres below it when we are root

# Runs a build step in the background (so that Ctrl-C or a TERM stops it at once), its output to
# build.log; on failure shows the end of it.
build_step() {
  setsid "$@" >"$work/build.log" 2>&1 &
  build_pid=$!
  wait "$build_pid" || die "the build failed: $*" "$work/build.log"
  build_pid=""
}

export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake_args=(-G Ninja)
  if command -v ccache >/dev/null; then cmake_args+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
  build_step cmake -S . -B "$build" "${cmake_args[@]}"
fi
say "building warden-agent and wardenctl in $build/ (the first build takes several minutes)"
start=$(now_ms)
build_step cmake --build "$build" --target warden-agent wardenctl
if grep -q "no work to do" "$work/build.log"; then
  say "up to date"
else
  say "built in $(secs $(($(now_ms) - start)))"
fi

# ---------------------------------------------------------------------------------------------
section "2. Start etcd, three agents and HAProxy on 127.0.0.1"

# One aligned line about a process: name, two addresses, pid.
row() { printf '  %-8s %-26s %-28s %s\n' "$@"; }

read -r etcd_port etcd_peer_port write_port read_port p1 p2 p3 p4 p5 p6 <<<"$(free_ports 10)"
declare -A rest_port=([n1]=$p1 [n2]=$p2 [n3]=$p3)
declare -A pg_port=([n1]=$p4 [n2]=$p5 [n3]=$p6)

# etcd: a single member, its own data directory.
etcd_url=http://127.0.0.1:$etcd_port
peer_url=http://127.0.0.1:$etcd_peer_port
env -i PATH=/usr/bin:/bin setsid /usr/bin/etcd --name demo --data-dir "$work/etcd" \
  --listen-client-urls "$etcd_url" --advertise-client-urls "$etcd_url" \
  --listen-peer-urls "$peer_url" --initial-advertise-peer-urls "$peer_url" \
  --initial-cluster "demo=$peer_url" >"$work/etcd.log" 2>&1 &
etcd_pid=$!
etcd_ready() { curl -s -m 1 "$etcd_url/health" | grep -q '"health":"true"'; }
wait_for 20 etcd_ready || die "etcd did not start" "$work/etcd.log"
row "etcd" "client API 127.0.0.1:$etcd_port" "" "pid $etcd_pid"

# The agents: one patroni.yml each, as a user would write it.
write_config() {
  local node=$1
  cat >"$work/$node.yml" <<EOF
scope: demo
name: $node
restapi:
  listen: 127.0.0.1:${rest_port[$node]}
  connect_address: 127.0.0.1:${rest_port[$node]}
etcd3:
  hosts: 127.0.0.1:$etcd_port
bootstrap:
  dcs:
    ttl: $ttl
    loop_wait: $loop_wait
    retry_timeout: $retry_timeout
    maximum_lag_on_failover: 1048576
    postgresql:
      use_pg_rewind: true
  initdb:
  - encoding: UTF8
  - data-checksums
  pg_hba:
  - host replication replicator 127.0.0.1/32 md5
  - host all all 127.0.0.1/32 md5
postgresql:
  listen: 127.0.0.1:${pg_port[$node]}
  connect_address: 127.0.0.1:${pg_port[$node]}
  data_dir: $work/$node/data
  bin_dir: $pg_bin
  pgpass: $work/$node/pgpass
  authentication:
    replication:
      username: replicator
      password: $replication_password
    superuser:
      username: $superuser
      password: $superuser_password
  parameters:
    max_wal_senders: 10
    wal_log_hints: on
EOF
}

start_agent() {
  local node=$1
  # Only PATH from our environment: a PGPASSWORD there would break the replicas' logins.
  env -i PATH=/usr/bin:/bin setsid "$agent_bin" "$work/$node.yml" >>"$work/$node.log" 2>&1 &
  agent_pid[$node]=$!
}

for node in "${nodes[@]}"; do
  mkdir -p "$work/$node"
  [[ $(id -u) -ne 0 ]] || chown postgres:postgres "$work/$node"
  write_config "$node"
  start_agent "$node"
  row "$node" "REST API 127.0.0.1:${rest_port[$node]}" "PostgreSQL 127.0.0.1:${pg_port[$node]}" "agent pid ${agent_pid[$node]}"
done

# HAProxy: the configuration users run in front of Patroni, on loopback ports. It asks every
# node's REST API: GET / answers 200 on the primary and 503 on the others, so postgres_write
# (expects 200) leads to the primary and postgres_read (expects 503) to the replicas. Users
# typically have "inter 3s fall 3 rise 2"; the demo checks every second and gives up on a server
# after two failed checks, to keep the failover short.
{
  cat <<EOF
global
    maxconn 200

defaults
    mode tcp
    timeout connect 2s
    timeout client 30m
    timeout server 30m
    timeout check 1s
EOF
  for listener in "postgres_write $write_port 200" "postgres_read $read_port 503"; do
    read -r name port status <<<"$listener"
    cat <<EOF

listen $name
    bind 127.0.0.1:$port
    option httpchk
    option tcplog
    balance leastconn
    mode tcp
    http-check expect status $status
    default-server inter 1s fall 2 rise 1 on-marked-down shutdown-sessions
EOF
    for node in "${nodes[@]}"; do
      echo "    server $node 127.0.0.1:${pg_port[$node]} maxconn 100 check port ${rest_port[$node]}"
    done
  done
} >"$work/haproxy.cfg"
haproxy -c -q -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 ||
  die "HAProxy rejects its configuration" "$work/haproxy.log"
setsid haproxy -db -f "$work/haproxy.cfg" >>"$work/haproxy.log" 2>&1 &
haproxy_pid=$!
row "HAProxy" "writes 127.0.0.1:$write_port" "reads 127.0.0.1:$read_port" "pid $haproxy_pid"
echo
say "configurations and logs: $work/{n1,n2,n3}.{yml,log}, etcd.log, haproxy.cfg"

echo
say "waiting for the agents to elect a primary and clone two replicas from it..."
start=$(now_ms)
primary=""
# An agent that exits at once (say over its configuration) need not be waited for.
agent_running() {
  local state
  state=$(ps -o stat= -p "${agent_pid[$1]}" 2>/dev/null) && [[ $state != Z* ]]
}
cluster_ready() {
  local node replicas=0
  primary=""
  for node in "${nodes[@]}"; do
    agent_running "$node" || die "$node's agent exited" "$work/$node.log"
    case $(rest_status "$node" /primary) in
      200) primary=$node ;;
      503) [[ $(rest_status "$node" /replica) == 200 ]] && replicas=$((replicas + 1)) ;;
    esac
  done
  [[ -n $primary ]] && ((replicas == ${#nodes[@]} - 1))
}
wait_for 120 cluster_ready ||
  die "the cluster did not come up within 120 s" "$work/n1.log" "$work/n2.log" "$work/n3.log"
say "ready after $(secs $(($(now_ms) - start))): $primary is the primary"

# ---------------------------------------------------------------------------------------------
section "3. wardenctl list"
say "wardenctl -c $work/n1.yml list"
echo
ctl list | sed 's/^/  /'

# ---------------------------------------------------------------------------------------------
section "4. Write through HAProxy"
# HAProxy learns the roles from its health checks, one a second: wait until it sends writes to
# the primary and reads to the replicas.
haproxy_settled() {
  [[ $(sql "$write_port" -c "SELECT pg_is_in_recovery()" 2>/dev/null) == f ]] || return 1
  for _ in 1 2 3; do
    [[ $(sql "$read_port" -c "SELECT pg_is_in_recovery()" 2>/dev/null) == t ]] || return 1
  done
}
wait_for 20 haproxy_settled || die "HAProxy does not route to the primary and replicas" "$work/haproxy.log"
sql "$write_port" <<'EOF' >/dev/null
CREATE TABLE demo (id serial PRIMARY KEY, note text, written_at timestamptz DEFAULT now());
INSERT INTO demo (note) VALUES ('first row'), ('second row'), ('third row');
EOF
say "psql \"host=127.0.0.1 port=$write_port ...\" -c \"CREATE TABLE demo ...; INSERT ... 3 rows\""
echo
IFS='|' read -r port recovery count < <(sql "$write_port" -c \
  "SELECT inet_server_port(), pg_is_in_recovery(), count(*) FROM demo")
printf '  %-11s %-16s -> %s  pg_is_in_recovery() = %s, %s rows in demo\n' \
  "write port" "127.0.0.1:$write_port" "$(node_of_pg_port "$port")" "$recovery" "$count"
IFS='|' read -r port recovery < <(sql "$read_port" -c "SELECT inet_server_port(), pg_is_in_recovery()")
printf '  %-11s %-16s -> %s  pg_is_in_recovery() = %s\n' \
  "read port" "127.0.0.1:$read_port" "$(node_of_pg_port "$port")" "$recovery"

# Replication is asynchronous: wait until both replicas have the rows before pulling the plug.
replicas_caught_up() {
  local node
  for node in "${nodes[@]}"; do
    [[ $node == "$primary" ]] && continue
    [[ $(sql "${pg_port[$node]}" -c "SELECT count(*) FROM demo" 2>/dev/null) == 3 ]] || return 1
  done
}
wait_for 20 replicas_caught_up || die "the replicas did not receive the rows"
echo
say "both replicas have received the 3 rows (replication is asynchronous)"

# ---------------------------------------------------------------------------------------------
section "5. Failover: kill -9 the primary ($primary), agent and PostgreSQL"
old_primary=$primary
leader_key=/service/demo/leader
etcdctl_() { ETCDCTL_API=3 etcdctl --endpoints="$etcd_url" --command-timeout=1s "$@" 2>/dev/null; }
leader_holder() { etcdctl_ get --print-value-only "$leader_key" || true; }
# "lease 5886a202406dfa06 granted with TTL(20s), remaining(17s)" for the leader key's lease.
lease_id=$(etcdctl_ get -w fields "$leader_key" | sed -n 's/^"Lease" : \([0-9]*\)$/\1/p')
lease=$(etcdctl_ lease timetolive "$(printf '%x' "${lease_id:-0}")" || true)
lease_ttl=$(sed -n 's/.*TTL(\([0-9]*\)s).*/\1/p' <<<"$lease")
remaining=$(sed -n 's/.*remaining(\([0-9]*\)s).*/\1/p' <<<"$lease")
say "In etcd, $leader_key = $(leader_holder), on a lease of ${lease_ttl:-?}s that $old_primary's agent renews every"
say "~$((${lease_ttl:-0} / 3))s (${remaining:-?}s left right now). With $old_primary dead nobody renews it: when it runs out,"
say "etcd deletes the key and the replicas race for it. What etcd and the agents say about it:"
if [[ -n $lease_ttl && $lease_ttl != "$ttl" ]]; then
  say "${dim}(bootstrap.dcs asks for a ttl of ${ttl}s; the agents adjusted it to ${lease_ttl}s)${reset}"
fi
echo

# Changes of the leader key as etcd reports them, each line prefixed with when it arrived (µs).
# Started from a subshell, so that it is not a job of ours that bash would report on when killed.
# shellcheck disable=SC2016 # $1, $2 and EPOCHREALTIME are the inner shell's
watch_pid=$(
  setsid bash -c 'ETCDCTL_API=3 etcdctl --endpoints="$1" watch "$2" 2>/dev/null |
    while IFS= read -r line; do echo "${EPOCHREALTIME/[.,]/} $line"; done' \
    _ "$etcd_url" "$leader_key" >"$work/leader.watch" 2>/dev/null </dev/null &
  echo $!
)
sleep 0.5 # the watch is in place

# One line of the narration: "   +12.3s  n2   text".
event() { printf '  %7s  %-4s %s\n' "+$(secs "$1")" "$2" "$3"; }

pm_pid=$(postmaster_pid "$old_primary")
kill_ms=$(now_ms)
stop_pid "${agent_pid[$old_primary]}"
unset "agent_pid[$old_primary]"
stop_postgres "$old_primary"
event 0 "" "${bold}killed $old_primary's agent and its postmaster (pid $pm_pid)${reset}"

survivors=()
declare -A seen=()
for node in "${nodes[@]}"; do
  [[ $node == "$old_primary" ]] && continue
  survivors+=("$node")
  seen[$node]=$(wc -l <"$work/$node.log")
done

# Events wait half a second in `pending` before they are printed, so that the agents' log lines,
# which reach their files a little late, come out in the order of their timestamps.
pending=()
# note AT_MS WHO TEXT
note() { pending+=("$1|$2|$3"); }
# Prints the pending events older than `age` ms, in order.
flush() {
  local age=$1 now at who text keep=()
  now=$(($(now_ms) - kill_ms))
  ((${#pending[@]} > 0)) || return 0
  while IFS='|' read -r at who text; do
    if ((at <= now - age)); then
      event "$at" "$who" "$text"
    else
      keep+=("$at|$who|$text")
    fi
  done < <(printf '%s\n' "${pending[@]}" | sort -t'|' -k1,1n -s)
  pending=(${keep[@]+"${keep[@]}"})
}

# The agents' lines worth showing: about the leader key, a race, a promotion or whom they follow.
interesting='leader|lock|promot|follow|primary|failover|healthiest|racing'
watch_seen=0 watch_event="" holder=$old_primary
expired_ms="" noticed="" noticed_ms="" winner="" winner_ms="" write_ms=""
# Until a second after the first write went through (or 90 s without one).
deadline=$((kill_ms + 90 * 1000))
while (($(now_ms) < deadline)); do
  # The watch prints "DELETE" and the key, or "PUT", the key and the value (a leader also puts
  # it again when it renews, which is no news).
  mapfile -t lines < <(tail -n "+$((watch_seen + 1))" "$work/leader.watch")
  watch_seen=$((watch_seen + ${#lines[@]}))
  for line in "${lines[@]}"; do
    at=$((${line%% *} / 1000 - kill_ms))
    line=${line#* }
    case $line in
      DELETE | PUT) watch_event=$line ;;
      "$leader_key")
        if [[ $watch_event == DELETE ]]; then
          holder=""
          expired_ms=${expired_ms:-$at}
          note "$at" etcd "$old_primary's lease ran out: etcd deleted the leader key"
        fi ;;
      *)
        if [[ $watch_event == PUT && $line != "$holder" ]]; then
          holder=$line
          note "$at" etcd "$line took the leader key"
        fi ;;
    esac
  done
  for node in "${survivors[@]}"; do
    mapfile -t lines < <(tail -n "+$((seen[$node] + 1))" "$work/$node.log")
    seen[$node]=$((seen[$node] + ${#lines[@]}))
    for line in "${lines[@]}"; do
      [[ $line == [0-9]* ]] || continue # a continuation line, e.g. a tool's error output
      # "2026-11-22 10:00:00.123 INFO: n2: text" -> "text", at the time it was logged
      text=${line#* * }
      text=${text#*: }
      text=${text#"$node: "}
      grep -qiE "$interesting" <<<"$text" || continue
      at=$(($(date -d "${line:0:23}" +%s%3N) - kill_ms))
      if [[ $text == "no leader"* ]] && { [[ -z $noticed ]] || ((at < noticed_ms)); }; then
        noticed=$node noticed_ms=$at
      fi
      if [[ $text == "following $old_primary (was none)" ]]; then
        text+=" ${dim}(its stream from $old_primary broke; $old_primary still holds the key)${reset}"
      fi
      note "$at" "$node" "$text"
    done
  done
  if [[ -z $winner ]]; then
    for node in "${survivors[@]}"; do
      if [[ $(rest_status "$node" /primary) == 200 ]]; then
        winner=$node winner_ms=$(($(now_ms) - kill_ms))
        note "$winner_ms" "$node" "${bold}GET /primary answers 200: $node is the new primary${reset}"
      fi
    done
  fi
  if [[ -n $winner && -z $write_ms ]] &&
    port=$(sql "$write_port" -c "INSERT INTO demo (note) VALUES ('written after the failover')" \
      -c "SELECT inet_server_port()" 2>/dev/null); then
    write_ms=$(($(now_ms) - kill_ms))
    note "$write_ms" "" "${bold}a write through HAProxy succeeds, answered by $(node_of_pg_port "$port")${reset}"
    deadline=$((kill_ms + write_ms + 1000))
  fi
  flush 500
  sleep 0.2
done
flush 0
kill -KILL -- "-$watch_pid" 2>/dev/null || true
watch_pid=""
[[ -n $write_ms ]] ||
  die "no write through HAProxy succeeded within 90 s of the kill" \
    "$work/${survivors[0]}.log" "$work/${survivors[1]}.log" "$work/haproxy.log"

echo
say "${bold}Failover summary${reset} (from the kill)"
printf '  %-30s %s\n' "leader key deleted by etcd" "+$(secs "${expired_ms:-0}") (lease ttl ${lease_ttl:-?}s)"
printf '  %-30s %s\n' "first to log \"no leader\"" "${noticed:-?} at +$(secs "${noticed_ms:-0}")"
printf '  %-30s %s\n' "new primary" "$winner at +$(secs "$winner_ms") (GET /primary answers 200)"
printf '  %-30s %s\n' "first write through HAProxy" "+$(secs "$write_ms")"

# ---------------------------------------------------------------------------------------------
section "6. The new topology"
# The other replica moves to the new primary's timeline once it streams from it.
timeline() { curl -s -m 1 "http://127.0.0.1:${rest_port[$1]}/patroni" | grep -o '"timeline": *[0-9]*' | grep -o '[0-9]*$'; }
same_timeline() {
  local node want
  want=$(timeline "$winner") || return 1
  for node in "${survivors[@]}"; do [[ $(timeline "$node") == "$want" ]] || return 1; done
}
wait_for 20 same_timeline || true
ctl list | sed 's/^/  /'
echo
rows=$(sql "$write_port" -c "SELECT count(*) FROM demo")
[[ $rows == 4 ]] || die "demo has $rows rows, not 4" "$work/$winner.log"
say "rows in demo, read through HAProxy: 4 (3 from before the failover, 1 after): nothing lost"

# ---------------------------------------------------------------------------------------------
section "7. $old_primary comes back"
say "starting $old_primary's agent again: it finds $winner holding the leader key and follows it"
say "(with pg_rewind first if its data directory had diverged). It logs:"
echo
start=$(now_ms)
seen[$old_primary]=$(wc -l <"$work/$old_primary.log")
start_agent "$old_primary"
rejoined() {
  agent_running "$old_primary" || die "$old_primary's agent exited" "$work/$old_primary.log"
  [[ $(rest_status "$old_primary" /replica) == 200 ]]
}
wait_for 90 rejoined || die "$old_primary did not rejoin as a replica" "$work/$old_primary.log"
caught_up() { [[ $(sql "${pg_port[$old_primary]}" -c "SELECT count(*) FROM demo" 2>/dev/null) == 4 ]]; }
wait_for 30 caught_up || die "$old_primary did not catch up" "$work/$old_primary.log"
while IFS= read -r line; do
  [[ $line == [0-9]* ]] || continue
  at=$(($(date -d "${line:0:23}" +%s%3N) - start))
  text=${line#* * }
  text=${text#*: }
  event "$at" "$old_primary" "${text#"$old_primary: "}"
done < <(tail -n "+$((seen[$old_primary] + 1))" "$work/$old_primary.log")
echo
say "$old_primary is a replica again after $(secs $(($(now_ms) - start))), with all 4 rows"
[[ $(rest_status "$winner" /primary) == 200 ]] || die "$winner is no longer the primary" "$work/$winner.log"
echo
ctl list | sed 's/^/  /'
