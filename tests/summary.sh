#!/bin/sh
# SPDX-License-Identifier: MIT
# summary.sh LOG: print what failed or was skipped and the totals; exit 1 if
# anything failed or nothing ran.
log=$1
[ -f "$log" ] || { echo "check: no test ran"; exit 1; }
pass=$(grep -c '^PASS ' "$log")
fail=$(grep -c '^FAIL ' "$log")
skip=$(grep -c '^SKIP ' "$log")
grep -E '^(FAIL|SKIP) ' "$log"
echo "check: $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
