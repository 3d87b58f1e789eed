#!/bin/sh
# SPDX-License-Identifier: MIT
# gen-symbols.sh MAP: the libxsk0.symbols file for the linker version script
# MAP (src/libxsk.map): every symbol of node LIBXSK_X.Y first appeared in
# upstream version X.Y.0. tests/check-packages.sh checks that
# debian/libxsk0.symbols is what this prints; after adding a node to the
# map, run "debian/gen-symbols.sh src/libxsk.map > debian/libxsk0.symbols".
awk '
	/^LIBXSK_[0-9.]+ *{/ { node = $1; sub(/ *{.*/, "", node); next }
	node && /^[ \t]*[A-Za-z_][A-Za-z0-9_]*;/ {
		sym = $1
		sub(/;.*/, "", sym)
		ver = node
		sub(/^LIBXSK_/, "", ver)
		line[++n] = " " sym "@" node " " ver ".0"
		if (!(node in seen)) {
			seen[node] = 1
			line[++n] = " " node "@" node " " ver ".0"
		}
	}
	/^}/ { node = "" }
	END {
		print "libxsk.so.0 libxsk0 #MINVER#"
		print "* Build-Depends-Package: libxsk-dev"
		fflush()
		for (i = 1; i <= n; i++)
			print line[i] | "LC_ALL=C sort"
	}
' "$1"
