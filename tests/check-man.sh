#!/bin/sh
# SPDX-License-Identifier: MIT
# check-man.sh OBJDIR "TOOL...": the manual is complete and renders cleanly.
#  - every exported function (src/libxsk.map) and every public static inline
#    function of include/ has a page made from its doc comment
#    (OBJDIR/man, by man/gen-man.sh), and that comment documents the return
#    value (a Return: section, or a comment that is only a summary line,
#    which then names the value) and, if it documents parameters at all,
#    exactly the declared ones;
#  - libxsk(3) links every generated page, and the program in its EXAMPLES
#    section builds against OBJDIR/libxsk.a without a warning;
#  - each tool has a page man/xsk-TOOL.1 that names every long option of
#    its --help;
#  - every page renders with man(1) without a warning (skipped, exit 77,
#    when man is not installed and all else passed).
objdir=$1 tools=$2
out=$objdir/man
list=$out/pages.list
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

[ -s "$list" ] || { echo "FAIL: $list is missing: run make man"; exit 1; }

# The functions that need a page.
sed -n 's/^[ \t]*\(xsk_[a-z0-9_]*\);.*/\1/p' src/libxsk.map >"$tmp/exported"
awk '
	/^static inline/ { decl = ""; want = 1 }
	want { decl = decl " " $0 }
	want && /\(/ {
		sub(/\(.*/, "", decl)
		n = split(decl, w, /[ *]+/)
		print w[n]
		want = 0
	}
' include/xsk.h include/xsk/*.h | grep -v '^xsk__' >"$tmp/inline"
[ -s "$tmp/exported" ] && [ -s "$tmp/inline" ] ||
	bad "found no exported or no inline function to check"

need() { # need KIND NAME
	line=$(awk -v n="$2" '$1 == n' "$list")
	if [ -z "$line" ]; then
		bad "$1 function $2() has no manual page: give it a kernel-doc comment (/** $2() - ...)"
		return
	fi
	# NAME KIND RETURN PROBLEM...
	# shellcheck disable=SC2086
	set -- $line
	[ "$2" = function ] || bad "$1 is documented as a $2, not a function"
	case $3 in
	return | summary | void) ;;
	*) bad "$1(): its doc comment has no Return: section" ;;
	esac
	name=$1
	shift 3
	for p in "$@"; do
		bad "$name(): ${p%%:*} parameter ${p#*:} in its doc comment"
	done
}
while read -r f; do need exported "$f"; done <"$tmp/exported"
while read -r f; do need inline "$f"; done <"$tmp/inline"
echo "checked $(wc -l <"$tmp/exported") exported and $(wc -l <"$tmp/inline") inline functions against $(wc -l <"$list") generated pages"

# The overview links every page.
while read -r name _; do
	grep -q "^\.BR $name (3)" man/libxsk.3 ||
		bad "man/libxsk.3 does not link $name(3) (add it under PAGES)"
done <"$list"

# The overview's example builds.
sed -n '/^\.SH EXAMPLES/,/^\.SH/p' man/libxsk.3 |
	sed -n '/^\.EX/,/^\.EE/p' | sed -e '/^\.E[XE]$/d' -e 's/\\e/\\/g' \
	-e 's/\\-/-/g' -e 's/^\\&//' >"$tmp/example.c"
if ! grep -q 'int main' "$tmp/example.c"; then
	bad "man/libxsk.3: no program in EXAMPLES"
elif ! ${CC:-cc} -Wall -Wextra -Werror -Iinclude -o "$tmp/example" \
	"$tmp/example.c" "$objdir/libxsk.a"; then
	bad "the program in libxsk(3) EXAMPLES does not build"
else
	echo "ok: the program in libxsk(3) EXAMPLES builds"
fi

# Each tool's page names every long option its --help lists.
for t in $tools; do
	page=man/xsk-$t.1
	[ -f "$page" ] || { bad "tool $t has no page $page"; continue; }
	"$objdir/examples/$t" --help >"$tmp/help" 2>&1 ||
		{ bad "$objdir/examples/$t --help fails"; continue; }
	for o in $(grep -o -e '--[a-z][a-z-]*' "$tmp/help" | sort -u); do
		pat=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
		grep -q -e "$pat" "$page" || bad "$page does not describe $o"
	done
done

if ! command -v man >/dev/null 2>&1; then
	[ $fail = 0 ] || exit 1
	echo "SKIP: man is not installed (apt-get install man-db): pages not rendered"
	exit 77
fi
n=0
for page in "$out"/man3/*.3 man/*.3 man/*.1; do
	warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	n=$((n + 1))
	[ -z "$warnings" ] || bad "$page renders with warnings: $warnings"
done
[ $fail = 0 ] && echo "ok: $n pages render without warnings"
exit $fail
