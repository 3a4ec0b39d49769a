#!/usr/bin/env bash
# `tally count` against simdjson On-Demand on the same file, same core, interleaved: each round runs every command
# once, in turn, so that drifts of the machine (frequency, neighbours) fall on all of them alike. Prints each
# command's frames/s per round, then the median and the ratio of medians to simdjson's.
#
#   scripts/bench-count.sh FILE ROUNDS [TALLY_ARGS...]
#
# Commands compared: tally count (default), tally count --exact, tally count --validate, and
# Benchmarks/simdjson/frames.cpp reading the file the same way (On-Demand reading uid and ts; the same plus an exact
# set; a DOM parse of every line), built here with g++ (Debian: libsimdjson-dev). TALLY_BIN picks the binary (default .build/release/tally); CORE the core
# (default 1). The file should be in the page cache (the script reads it once first).
set -euo pipefail
file=${1:?usage: bench-count.sh FILE ROUNDS}
rounds=${2:-5}
shift 2 || true
tally=${TALLY_BIN:-.build/release/tally}
core=${CORE:-1}
here=$(cd "$(dirname "$0")/.." && pwd)
g++ -O3 -march=native -std=c++17 "$here/Benchmarks/simdjson/frames.cpp" -lsimdjson -o /tmp/bench-simdjson-frames
frames=$(wc -l < "$file")
cat "$file" > /dev/null

# frames/s of one `tally count` run, from its own summary line.
tally_rate() { taskset -c "$core" "$tally" count "$file" -o /dev/null "$@" 2>&1 >/dev/null | sed -n 's/.*frames_per_second=\([0-9]*\).*/\1/p'; }
simdjson_rate() { taskset -c "$core" /tmp/bench-simdjson-frames "$file" "$1" once | sed -n 's/.*streamed.* \([0-9]*\) frames\/s.*/\1/p'; }

declare -A results
names=("tally" "tally --exact" "tally --validate" "simdjson on-demand" "simdjson on-demand + exact set" "simdjson dom")
for round in $(seq "$rounds"); do
  results["tally"]+="$(tally_rate "$@") "
  results["simdjson on-demand"]+="$(simdjson_rate fields) "
  results["tally --exact"]+="$(tally_rate --exact "$@") "
  results["simdjson on-demand + exact set"]+="$(simdjson_rate exact) "
  results["tally --validate"]+="$(tally_rate --validate "$@") "
  results["simdjson dom"]+="$(simdjson_rate dom) "
  echo "round $round done" >&2
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2))}'; }
echo "file $file: $frames frames; $rounds interleaved rounds on core $core; $($tally --version 2>/dev/null || echo tally)"
for name in "${names[@]}"; do
  printf '%-32s %s | median %s\n' "$name" "${results[$name]}" "$(echo "${results[$name]}" | median)"
done
ratio() { awk -v a="$(echo "${results[$1]}" | median)" -v b="$(echo "${results[$2]}" | median)" 'BEGIN {printf "%.2f", a / b}'; }
echo "default / on-demand: $(ratio "tally" "simdjson on-demand")×; --exact / on-demand + set: $(ratio "tally --exact" "simdjson on-demand + exact set")×; --validate / dom: $(ratio "tally --validate" "simdjson dom")×"
