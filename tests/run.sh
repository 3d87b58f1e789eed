#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh LOG NAME COMMAND...: run one check, record PASS, FAIL or SKIP
# (exit code 77) in LOG. Always exits 0 so that every check runs;
# summary.sh turns the log into the verdict.
#
# A check still running after XSK_TEST_TIMEOUT seconds (default 600) is
# stopped (SIGTERM, then SIGKILL 10 s later) and fails with its name, so
# that a hang can't stall the whole run.
log=$1 name=$2
shift 2
limit=${XSK_TEST_TIMEOUT:-600}
echo "=== $name"
start=$(date +%s)
timeout -k 10 "$limit" "$@"
rc=$?
case $rc in
0) verdict=PASS ;;
77) verdict=SKIP ;;
*) verdict=FAIL ;;
esac
why="exit $rc"
# 124: stopped by SIGTERM; 137: it ignored that and got SIGKILL
if [ $rc = 124 ] || { [ $rc = 137 ] &&
	[ $(($(date +%s) - start)) -ge "$limit" ]; }; then
	why="timed out after $limit s"
fi
if [ $verdict = FAIL ]; then
	echo "$verdict $name ($why)" >>"$log"
else
	echo "$verdict $name" >>"$log"
fi
[ $rc = 0 ] || echo "--- $verdict $name ($why)"
exit 0
