#!/usr/bin/env bash
# The closing line of .ci/run, from the log of `npm test`: tests passed, failed and skipped, summed over every vitest
# run in it (unit, the engine again on wasm, end-to-end), read from vitest's lines
#   "      Tests  1 failed | 97 passed | 2 skipped | 1 todo (101)"
# (colour codes removed first). A test file that fails before its tests run (an import error) counts no test, so
# failed files are named too, and so is a log with no vitest run at all (npm test stopped at lint or typecheck).
# Usage: .ci/summary.sh [LOG]   (standard input without LOG)
set -euo pipefail
sed 's/\x1b\[[0-9;]*m//g' "${1:--}" | awk '
  /^ *Tests +[0-9]/ {
    runs++
    for (i = 2; i < NF; i++) {
      if ($(i+1) ~ /^passed/) p += $i
      else if ($(i+1) ~ /^failed/) f += $i
      else if ($(i+1) ~ /^skipped/) s += $i
    }
  }
  /^ *Test Files +[0-9]/ { for (i = 3; i < NF; i++) if ($(i+1) ~ /^failed/) ff += $i }
  END {
    printf "%d passed, %d failed, %d skipped (%d vitest run%s", p, f, s, runs, runs == 1 ? "" : "s"
    if (ff) printf "; %d test file%s failed", ff, ff == 1 ? "" : "s"
    printf ")\n"
  }'
