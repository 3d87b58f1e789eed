#!/bin/sh
# SPDX-License-Identifier: MIT
# check-man.sh PAGE: the manual page renders with man(1) without a warning.
page=$1
if ! command -v man >/dev/null 2>&1; then
	echo "SKIP: man is not installed (apt-get install man-db)"
	exit 77
fi
warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
if [ -n "$warnings" ]; then
	echo "FAIL: $page renders with warnings:"
	echo "$warnings"
	exit 1
fi
echo "ok: $page renders without warnings ($(LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$page" 2>/dev/null | wc -l) lines)"
