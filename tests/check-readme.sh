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

# The migration table ("Coming from libxdp's xsk.h") is compiled too: each
# row "| `libxdp name...` | libxsk side |" has a block in the program
# "migration" that starts at a line "/* libxdp: NAME" (the first name in
# the row's first cell) and ends at a blank line. Every xsk_ or XSK_ name
# and every .field that the row's libxsk side puts in backticks must be in
# its block, and every XSK_ constant the block's code uses (XSK_OPTS aside)
# must be in the row: the table names what the compiled (and run) code
# needs, no more and no less.
awk '
	function key_of(s,   span) {
		while (match(s, /`[^`]*`/)) {
			span = substr(s, RSTART + 1, RLENGTH - 2)
			s = substr(s, RSTART + RLENGTH)
			if (match(span, /[A-Za-z_][A-Za-z0-9_.]*/))
				return substr(span, RSTART, RLENGTH)
		}
		return ""
	}
	function names_of(s,   span, out) {
		out = ""
		while (match(s, /`[^`]*`/)) {
			span = substr(s, RSTART + 1, RLENGTH - 2)
			s = substr(s, RSTART + RLENGTH)
			while (match(span, /(xsk|XSK)_[A-Za-z0-9_]*|\.[a-z_][a-z0-9_]*/)) {
				out = out " " substr(span, RSTART, RLENGTH)
				span = substr(span, RSTART + RLENGTH)
			}
		}
		return out
	}
	function has(text, name,   re) {
		re = name
		gsub(/\./, "\\.", re)
		if (substr(name, 1, 1) != ".")
			re = "(^|[^A-Za-z0-9_])" re
		return text ~ (re "([^A-Za-z0-9_]|$)")
	}
	function bad(msg) { print "FAIL: README migration table: " msg; err = 1 }
	/^## / { section = ($0 ~ /^## Coming from libxdp/) }
	section && /^\|/ && !/^\|[-| ]*$/ && !/^\| libxdp \| libxsk \|/ {
		line = $0
		gsub(/\\\|/, "\001", line)
		split(line, cell, "|")
		key = key_of(cell[2])
		if (key == "") { bad("no name in row: " $0); next }
		rows[key] = names_of(cell[3])
		next
	}
	/^<!-- test: migration / { prog = 1; next }
	prog && /^```$/ { prog = 0; block = ""; next }
	prog && /\/\* libxdp: / {
		block = substr($0, index($0, "libxdp: ") + 8)
		match(block, /[A-Za-z_][A-Za-z0-9_.]*/)
		block = substr(block, RSTART, RLENGTH)
		if (block in text) bad("two blocks for " block)
		text[block] = ""; code[block] = ""
	}
	prog && block != "" && /^[ \t]*$/ { block = ""; next }
	prog && block != "" {
		text[block] = text[block] "\n" $0
		line = $0
		gsub(/\/\*.*\*\//, "", line)
		code[block] = code[block] "\n" line
	}
	END {
		nrows = 0
		for (key in rows) {
			nrows++
			if (!(key in text)) { bad(key ": no block in the migration program"); continue }
			n = split(rows[key], name, " ")
			for (i = 1; i <= n; i++)
				if (!has(text[key], name[i]))
					bad(key ": the row names " name[i] ", its code does not use it")
			c = code[key]
			while (match(c, /XSK_[A-Z0-9_]+/)) {
				t = substr(c, RSTART, RLENGTH)
				c = substr(c, RSTART + RLENGTH)
				if (t != "XSK_OPTS" && !has(rows[key], t))
					bad(key ": its code uses " t ", the row does not name it")
			}
		}
		for (key in text)
			if (!(key in rows)) bad(key ": a block with no row")
		if (!nrows) bad("no rows found")
		if (!err) print "ok: README migration table, " nrows " rows, each named in compiled code"
		exit err
	}
' README.md || fail=1

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
