#!/usr/bin/env bash
# Kill-to-first-commit: how long a producer sees no commit after the leader is SIGKILLed.
#
#   raft-examples/scripts/failover.sh [KILLS]     (default 10; needs raft-examples/target/raftlog.jar)
#
# Starts three `raftlog node` processes on loopback (the default store in a temporary directory) and one
# `raftlog produce` fed a record every 10 ms, timestamping every committed offset it prints. Then,
# KILLS times: finds the leader with `raftlog status`, SIGKILLs it, notes the time, waits for the
# commit that ends the outage, restarts the killed node on its data, waits until all three are
# healthy again.
# Prints each gap and the median and maximum. Kill-to-first-commit includes the election timeout
# (100-200 ms by default), the new leader's first commit and the client's switch to it.
set -euo pipefail
cd "$(dirname "$0")/../.."
kills="${1:-10}"
jar=raft-examples/target/raftlog.jar
[ -f "$jar" ] || { echo "build first: ./mvnw -B -q package -DskipTests" >&2; exit 2; }
dir=$(mktemp -d)
base=$((7300 + RANDOM % 500))
declare -A port pid
for i in 1 2 3; do port[n$i]=$((base + i)); done
servers="127.0.0.1:${port[n1]},127.0.0.1:${port[n2]},127.0.0.1:${port[n3]}"
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  for id in n1 n2 n3; do [ -n "${pid[$id]:-}" ] && kill -9 "${pid[$id]}" 2>/dev/null || true; done
  [ "${KEEP:-}" = 1 ] && echo "kept $dir" || rm -rf "$dir"
}
trap cleanup EXIT

start() { # id [--bootstrap]
  local id=$1 peers=""
  for other in n1 n2 n3; do
    [ "$other" = "$id" ] || peers="${peers:+$peers,}$other=127.0.0.1:${port[$other]}"
  done
  java -jar "$jar" node --id "$id" --listen "127.0.0.1:${port[$id]}" --peers "$peers" \
    --data "$dir/$id" ${2:-} >> "$dir/$id.log" 2>&1 &
  pid[$id]=$!
}
status() { java -jar "$jar" status --servers "$servers" 2>/dev/null || true; }
healthy() { [ "$(status | grep -c '"health":"HEALTHY"')" = 3 ] && status | grep -q '"role":"LEADER"'; }

for id in n1 n2 n3; do start "$id" --bootstrap; done
for _ in $(seq 300); do healthy && break; sleep 0.1; done
healthy || { echo "the cluster did not come up" >&2; exit 1; }

# One record every 10 ms; each committed offset stamped with the time it was printed.
( while true; do echo x; sleep 0.01; done ) \
  | java -jar "$jar" produce --servers "$servers" 2>>"$dir/produce.err" \
  | while read -r offset; do echo "$(date +%s%N) $offset"; done > "$dir/acks" &
for _ in $(seq 100); do [ -s "$dir/acks" ] && break; sleep 0.1; done

gaps=()
for k in $(seq "$kills"); do
  leader=$(status | grep '"role":"LEADER"' | sed -E 's/.*"id":"([^"]+)".*/\1/' | head -1)
  [ -n "$leader" ] || { echo "no leader before kill $k" >&2; exit 1; }
  killed_at=$(date +%s%N)
  kill -9 "${pid[$leader]}"
  # Commits keep being printed for a moment after the kill (those that were already durable on a
  # majority); the outage is the longest pause between two printed commits after the kill, and
  # kill-to-first-commit is the time from the kill to the commit that ends it.
  sleep 3
  first=$(awk -v t="$killed_at" '$1 >= t - 20000000 { if (p && $1 - p > best) { best = $1 - p; end = $1 } p = $1 }
                                 END { if (end) print end }' "$dir/acks")
  [ -n "$first" ] || { echo "no commit within 3 s after kill $k" >&2; exit 1; }
  gap=$(( (first - killed_at) / 1000000 ))
  gaps+=("$gap")
  echo "kill $k: leader $leader, first commit after the outage ${gap} ms after the kill"
  start "$leader"
  for _ in $(seq 300); do healthy && break; sleep 0.1; done
done
sorted=($(printf '%s\n' "${gaps[@]}" | sort -n))
n=${#sorted[@]}
median=${sorted[$(( (n - 1) / 2 ))]}
echo "kill-to-first-commit over $n kills: median ${median} ms, max ${sorted[$((n - 1))]} ms"
