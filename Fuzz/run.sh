#!/usr/bin/env bash
# Builds the TallyCore sources with libFuzzer and AddressSanitizer and fuzzes the frame scanner.
# Usage: Fuzz/run.sh [SECONDS=60]   (seeds: generated frames in Fuzz/corpus)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
mkdir -p .build-fuzz Fuzz/corpus
clang -O2 -fsanitize=address -c Sources/CTallySIMD/tally_simd.c -I Sources/CTallySIMD/include -o .build-fuzz/tally_simd.o
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name TallyCore \
  -I Sources/CTallySIMD/include $(find Sources/TallyCore -name '*.swift') Fuzz/FrameScannerFuzz.swift \
  .build-fuzz/tally_simd.o -o .build-fuzz/frame-scanner-fuzz
if [ -z "$(ls -A Fuzz/corpus)" ]; then
  swift run -c release tally generate frames -c 20 -r 2 -n 5 -s 1 | split -l 1 - Fuzz/corpus/frame-
fi
.build-fuzz/frame-scanner-fuzz -timeout=2 -max_total_time="$seconds" -max_len=4096 Fuzz/corpus Fuzz/regressions
