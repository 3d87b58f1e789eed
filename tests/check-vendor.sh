#!/bin/sh
# SPDX-License-Identifier: MIT
# check-vendor.sh CC: copying include/ and src/ into another tree and running
# "cc -Iinclude -c src/*.c" builds the library with no -D flag and no
# configure step, warning-free, in the compiler's default dialect and in
# strict ISO C99 and C11 (CMake's C_EXTENSIONS OFF, Meson's c_std=c11) as
# well as gnu11, and a program links against the objects.
cc=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/host/libxsk"
cp -r include src "$tmp/host/libxsk/"
cat >"$tmp/host/main.c" <<'EOC'
#include <xsk.h>
int main(void)
{
	struct xsk_umem_opts o = XSK_OPTS(xsk_umem_opts, .frame_size = 1);
	struct xsk_umem *umem;

	return xsk_umem_create(&umem, &o) == -22 && *xsk_errmsg() ? 0 : 1;
}
EOC
cd "$tmp/host/libxsk" || exit 1
for std in -std=c99 -std=c11 -std=gnu11 ""; do
	rm -f ./*.o
	$cc $std -Iinclude -Wall -Wextra -Werror -c src/*.c || {
		echo "FAIL: cc $std -Iinclude -c src/*.c"
		exit 1
	}
	echo "ok: cc $std -Iinclude -c src/*.c"
done
cd .. || exit 1
$cc -Ilibxsk/include -o main main.c libxsk/*.o && ./main || {
	echo "FAIL: a program built on the vendored objects"
	exit 1
}
echo "ok: vendored build with '$cc -Iinclude -c src/*.c'"
