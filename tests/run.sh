#!/bin/sh
# SPDX-License-Identifier: MIT
# run.sh LOG NAME COMMAND...: run one check, record PASS, FAIL or SKIP
# (exit code 77) in LOG. Always exits 0 so that every check runs;
# summary.sh turns the log into the verdict.
log=$1 name=$2
shift 2
echo "=== $name"
"$@"
rc=$?
case $rc in
0) verdict=PASS ;;
77) verdict=SKIP ;;
*) verdict=FAIL ;;
esac
echo "$verdict $name" >>"$log"
[ $rc = 0 ] || echo "--- $verdict $name (exit $rc)"
exit 0
