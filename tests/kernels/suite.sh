#!/bin/bash
# SPDX-License-Identifier: MIT
# suite.sh KERNDIR EXAMPLEDIR SUITE: run one real-kernel suite the way
# make check runs it, in private network namespaces made by tests/netns.sh.
# SUITE is a kern_* program in KERNDIR, or "examples" (tests/check-examples.sh
# on the programs in EXAMPLEDIR). Used by tests/kernels/matrix.sh for the
# host's row and by the guest's /init for every other kernel, so both run
# exactly the same command. Exits with the suite's status (77: skipped).
set -u
kern=$1 examples=$2 suite=$3
cd "$(dirname "$0")/../.." || exit 1
case $suite in
examples) exec tests/netns.sh tests/check-examples.sh "$examples" ;;
kern_*)
	[ -x "$kern/$suite" ] || {
		echo "FAIL: no test program $kern/$suite"
		exit 1
	}
	exec tests/netns.sh "$kern/$suite"
	;;
*)
	echo "FAIL: unknown suite '$suite' (kern_* or examples)"
	exit 2
	;;
esac
