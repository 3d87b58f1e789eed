#!/bin/sh
# SPDX-License-Identifier: MIT
# check-readme.sh LIB.a: every C program in README.md that follows a line
# "<!-- test: NAME -->" is compiled against the library and, where NAME
# says "run", run inside private namespaces (tests/netns.sh) with its
# interface name as argument, so the README's code can't rot.
lib=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
awk -v dir="$tmp" '
	/^<!-- test: [a-z0-9_-]+ (run|build) -->$/ { name = $3; mode = $4; next }
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
exit $fail
