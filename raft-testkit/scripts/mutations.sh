#!/usr/bin/env bash
# Proof that the simulators have teeth: applies each deliberate one-line bug below, runs both
# simulators on seeds 1..N, reports whether (and by which first seed) a run caught it, and
# restores the file. A mutation that no seed catches is reported as MISSED.
#
#   raft-testkit/scripts/mutations.sh [SEEDS]      (default 300; about a minute per mutation)
#   ONLY="2 4" raft-testkit/scripts/mutations.sh 2000   (just those rows)
#
# Run from a clean checkout: it edits files under raft-core and restores them with git.
set -uo pipefail
cd "$(dirname "$0")/../.."
seeds="${1:-300}"
core=raft-core/src/main/java/io/raftlog/core

# name | file | exact line as in the source (a fixed string) | the line it becomes
mutations=(
  "ack before fsync|$core/protocol/RaftProtocol.java|            messagesAfterPersist.add(success);|            messages.add(success);"
  "vote sent before it is durable|$core/protocol/RaftProtocol.java|            messagesAfterPersist.add(new VoteResponse(id, request.from(), request.term(), true, request.preVote()));|            messages.add(new VoteResponse(id, request.from(), request.term(), true, request.preVote()));"
  "leader counted before its own write is durable|$core/protocol/LeaderState.java|        selfMatch = log.stableIndex();|        selfMatch = log.lastIndex();"
  "stale durability report accepted (no epoch)|$core/protocol/RaftLog.java|        if (handOutEpoch != epoch) {|        if (false) {"
  "commit by counting an old term's entries (Figure 8)|$core/protocol/LeaderState.java|        if (quorumIndex > log.committed() && log.term(quorumIndex) == raft.term) {|        if (quorumIndex > log.committed()) {"
  "follower commits past its last new entry|$core/protocol/RaftProtocol.java|        log.commitTo(Math.min(request.leaderCommit(), lastNew));|        log.commitTo(Math.min(request.leaderCommit(), log.lastIndex()));"
  "vote for a candidate whose log is behind|$core/protocol/RaftProtocol.java|        if (canVote && log.isUpToDate(request.lastLogIndex(), request.lastLogTerm())) {|        if (canVote) {"
  "two votes in one term|$core/protocol/RaftProtocol.java|        boolean canVote = request.from().equals(votedFor)|        boolean canVote = true"
  "dedup gate skipped (idempotent batches before the no-op applies)|$core/Proposer.java|        boolean ready = leader && appliedIndex > 0 && store.term(appliedIndex) == raft.term();|        boolean ready = leader;"
  "expired producer's retry taken for a new producer|$core/ProducerTable.java|            if (expired.containsKey(producerId)) {|            if (false) {"
  "reads past the applied index|$core/CommittedReads.java|        long upTo = appliedIndex;|        long upTo = Long.MAX_VALUE;"
  "an append acknowledged without checking its term|$core/AppendTracker.java|            if (store.term(append.lastIndex()) == append.term()) {|            if (true) {"
  "a heartbeat answered at once beyond what is durable|$core/protocol/RaftProtocol.java|        return request.entries().isEmpty() && request.lastIndex() <= log.stableIndex() && termAtStep == term;|        return request.entries().isEmpty() && termAtStep == term;"
)

printf '| # | mutation | caught | failing seeds of %s (first) per simulator |\n| --- | --- | --- | --- |\n' "$seeds"
n=0
for entry in "${mutations[@]}"; do
  n=$((n + 1))
  IFS='|' read -r name file original mutated <<< "$entry"
  if [ -n "${ONLY:-}" ] && ! grep -qw "$n" <<< "$ONLY"; then
    continue
  fi
  if ! grep -qF -- "$original" "$file"; then
    echo "| $n | $name | ERROR: line not found in $file | |"
    continue
  fi
  python3 - "$file" "$original" "$mutated" <<'PY'
import sys
path, original, mutated = sys.argv[1:]
text = open(path).read()
open(path, "w").write(text.replace(original, mutated, 1))
PY
  out=$(./mvnw -B -q -o test -pl raft-testkit -am -Dspotless.check.skip=true -Djacoco.skip=true \
        -Dtest='NodeSimulationTest#safetyAndLiveness*,RaftSimulationTest#safetyAndLiveness*' \
        -Dsurefire.failIfNoSpecifiedTests=false -Draftlog.sim.seeds="$seeds" -Draftlog.sim.nodeSeeds="$seeds" 2>&1)
  git checkout -q -- "$file"
  # One summary line per failing simulator, e.g. "NodeSimulationTest.safety...:55 24 of 300 seeds failed: [11, ...".
  failed=$(grep -oE '(Node|Raft)SimulationTest\.[A-Za-z]+:[0-9]+ [0-9]+ of [0-9]+ seeds failed: \[[0-9]+' <<< "$out" \
        | sort -u \
        | sed -E 's/^(Node|Raft)SimulationTest\.[A-Za-z]+:[0-9]+ ([0-9]+) of [0-9]+ seeds failed: \[([0-9]+)/\1: \2 seeds, first \3/; s/^Node:/whole nodes:/; s/^Raft:/protocol:/' \
        | paste -sd ';' - | sed 's/;/; /g')
  if [ -n "$failed" ]; then
    echo "| $n | $name | yes | $failed |"
  elif grep -q "BUILD SUCCESS\|Tests run" <<< "$out" || [ -z "$(grep -E 'ERROR' <<< "$out")" ]; then
    echo "| $n | $name | MISSED | |"
  else
    echo "| $n | $name | build failed | $(grep -m1 'ERROR' <<< "$out" | cut -c1-120) |"
  fi
done
