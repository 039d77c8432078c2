#!/usr/bin/env bash
# Paired runs of TransportThroughputBenchmark: each run measures the raftlog transport and the plain
# Netty baseline back to back in one fork, so a slow minute on a noisy machine hits both; prints each
# run's ratio and the median ratio per frame size.
#
#   raft-bench/scripts/transport-ratio.sh [runs, default 9] [frame sizes, default "256 16384"]
#
# Needs raft-bench/target/benchmarks.jar (mvn -B -q -pl raft-bench -am package -DskipTests).
set -euo pipefail
runs=${1:-9}
sizes=${2:-"256 16384"}
jar="$(dirname "$0")/../target/benchmarks.jar"
[[ -f "$jar" ]] || { echo "no $jar: build it with mvn -B -q -pl raft-bench -am package -DskipTests" >&2; exit 2; }

for size in $sizes; do
    ratios=()
    for run in $(seq "$runs"); do
        out=$(java -jar "$jar" TransportThroughputBenchmark -p frameBytes="$size" -wi 3 -w 1s -i 5 -r 1s -f 1 2>&1)
        plain=$(awk '/^TransportThroughputBenchmark.plainNettyBaseline /{print $5}' <<<"$out")
        raftlog=$(awk '/^TransportThroughputBenchmark.raftlogTransport /{print $5}' <<<"$out")
        if [[ -z "$plain" || -z "$raftlog" ]]; then
            echo "run $run at $size B failed:" >&2
            tail -20 <<<"$out" >&2
            exit 1
        fi
        ratio=$(awk -v a="$raftlog" -v b="$plain" 'BEGIN {printf "%.3f", a / b}')
        ratios+=("$ratio")
        printf '%6s B  run %2d  raftlog %12.0f/s  plain %12.0f/s  ratio %s\n' "$size" "$run" "$raftlog" "$plain" "$ratio"
    done
    median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
    printf '%6s B  median ratio over %d runs: %s\n' "$size" "$runs" "$median"
done
