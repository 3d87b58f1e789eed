#!/bin/sh
# SPDX-License-Identifier: MIT
# check-readme.sh LIB.a: every C program in README.md that follows a line
# "<!-- test: NAME MODE -->" is compiled against the library, warning-free,
# so the README's code can't rot. MODE "build" stops there; "run" runs it
# inside private namespaces (tests/netns.sh) with the interface name as its
# argument; "pair-rx" and "pair-tx" mark a receiver and a transmitter, run
# against each other across the veth pair.
lib=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
awk -v dir="$tmp" '
	/^<!-- test: [a-z0-9_-]+ (run|build|pair-rx|pair-tx) -->$/ { name = $3; mode = $4; next }
	name && /^```c$/ { file = dir "/" name ".c"; print mode > (dir "/" name ".mode"); next }
	file && /^```$/ { close(file); file = ""; name = ""; next }
	file { print > file }
' README.md
n=0
fail=0
for src in "$tmp"/*.c; do
	[ -e "$src" ] || break
	name=$(basename "$src" .c)
	n=$((n + 1))
	lines=$(wc -l <"$src")
	if ! ${CC:-cc} -Wall -Wextra -Werror -Iinclude -o "$tmp/$name" "$src" \
		"$lib"; then
		echo "FAIL: README program $name does not build"
		fail=1
		continue
	fi
	if [ "$(cat "$tmp/$name.mode")" = run ]; then
		tests/netns.sh sh -c "\"$tmp/$name\" \$XSK_IF"
		rc=$?
		[ $rc = 77 ] && { echo "SKIP: README program $name not run"; exit 77; }
		[ $rc = 0 ] || { echo "FAIL: README program $name exits $rc"; fail=1; continue; }
	fi
	echo "ok: README program $name ($lines lines)"
done
[ $n -gt 0 ] || { echo "FAIL: no tested program found in README.md"; exit 1; }

# The pair: the receiver waits for 1000 frames in the first namespace while
# the transmitter sends rounds of 1000 from the second until it has them
# (the receiver needs a moment to attach its program), for 10 s at most.
rx=$(grep -l pair-rx "$tmp"/*.mode 2>/dev/null | sed 's/\.mode$//')
tx=$(grep -l pair-tx "$tmp"/*.mode 2>/dev/null | sed 's/\.mode$//')
if [ -n "$rx$tx" ]; then
	[ -x "$rx" ] && [ -x "$tx" ] || { echo "FAIL: README pair incomplete"; exit 1; }
	tests/netns.sh sh -c '
		"$1" "$XSK_IF" 1000 & rx=$!
		for i in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 $rx 2>/dev/null || break
			ip netns exec "$XSK_PEER_NS" "$2" "$XSK_PEER_IF" 1000 ||
				exit 1
		done
		wait $rx' sh "$rx" "$tx"
	rc=$?
	[ $rc = 77 ] && { echo "SKIP: README pair not run"; exit 77; }
	if [ $rc = 0 ]; then
		echo "ok: README programs $(basename "$tx") -> $(basename "$rx") across a veth pair"
	else
		echo "FAIL: README programs $(basename "$tx") -> $(basename "$rx") exit $rc"
		fail=1
	fi
fi
exit $fail
