#!/bin/sh
# SPDX-License-Identifier: MIT
# check-buildsystems.sh [OBJDIR]: projects that take libxsk in through CMake or Meson
# build tests/consumer.c against it and run it:
#  - CMake, add_subdirectory() of this tree;
#  - CMake, FetchContent from a tarball of this tree (file://, no network);
#  - CMake, find_package(libxsk) after a CMake install into a scratch prefix;
#  - Meson, this tree as subprojects/libxsk, dependency('libxsk') falling
#    back to it.
# Each links libxsk::libxsk (static) and libxsk::shared, or Meson's default
# shared library; CMake's libxsk.so exports what OBJDIR/libxsk.so does.
# Skipped (exit 77) without cmake, meson or ninja (tests/need-deps.sh
# installs them when it can).
objdir=${1:-build}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
top=$(pwd)
jobs=-j2

for tool in cmake meson ninja; do
	command -v $tool >/dev/null 2>&1 || {
		echo "SKIP: $tool is missing (apt-get install cmake meson ninja-build)"
		exit 77
	}
done

# The tree as a release would ship it.
mkdir -p "$tmp/libxsk"
if [ -d .git ] || [ -f .git ]; then
	git ls-files -z --cached --others --exclude-standard |
		xargs -0 cp --parents -t "$tmp/libxsk" || fail "copying the tree"
else
	tar -c --exclude='./build*' --exclude=./debian . | tar -x -C "$tmp/libxsk"
fi
tar -czf "$tmp/libxsk.tar.gz" -C "$tmp" libxsk

# run_cmake HOW: configure, build and run the consumer project for HOW.
run_cmake() {
	how=$1
	shift
	b=$tmp/build-$how
	cmake -S "$tmp/consumer" -B "$b" -DHOW="$how" "$@" >"$b.log" 2>&1 &&
		cmake --build "$b" $jobs >>"$b.log" 2>&1 || {
		tail -n 30 "$b.log"
		fail "CMake consumer ($how)"
	}
	"$b/consumer_static" >/dev/null || fail "consumer_static ($how) fails"
	ldd "$b/consumer_static" | grep -q libxsk &&
		fail "consumer_static ($how) needs libxsk.so"
	"$b/consumer_shared" >/dev/null || fail "consumer_shared ($how) fails"
	ldd "$b/consumer_shared" | grep -q 'libxsk.so.0 =>' ||
		fail "consumer_shared ($how) does not load libxsk.so.0"
	echo "ok: CMake consumer through $how, static and shared"
}

mkdir "$tmp/consumer"
cp tests/consumer.c "$tmp/consumer/"
cat >"$tmp/consumer/CMakeLists.txt" <<'EOC'
cmake_minimum_required(VERSION 3.13)
project(consumer C)
if(HOW STREQUAL "subdirectory")
  add_subdirectory("${LIBXSK_SOURCE}" libxsk)
elseif(HOW STREQUAL "fetchcontent")
  include(FetchContent)
  FetchContent_Declare(libxsk URL "file://${LIBXSK_TARBALL}")
  FetchContent_MakeAvailable(libxsk)
else()
  find_package(libxsk 0.2 REQUIRED)
endif()
add_executable(consumer_static consumer.c)
target_link_libraries(consumer_static PRIVATE libxsk::libxsk)
add_executable(consumer_shared consumer.c)
target_link_libraries(consumer_shared PRIVATE libxsk::shared)
EOC
run_cmake subdirectory -DLIBXSK_SOURCE="$tmp/libxsk"
run_cmake fetchcontent -DLIBXSK_TARBALL="$tmp/libxsk.tar.gz"

prefix=$tmp/prefix
{
	cmake -S "$tmp/libxsk" -B "$tmp/build-libxsk" \
		-DCMAKE_INSTALL_PREFIX="$prefix" &&
		cmake --build "$tmp/build-libxsk" $jobs &&
		cmake --install "$tmp/build-libxsk"
} >"$tmp/install.log" 2>&1 || {
	tail -n 30 "$tmp/install.log"
	fail "CMake build and install of libxsk"
}
for f in include/xsk.h include/xsk/ring.h lib/libxsk.a lib/libxsk.so.0 \
	lib/cmake/libxsk/libxskConfig.cmake \
	lib/cmake/libxsk/libxskConfigVersion.cmake lib/pkgconfig/libxsk.pc; do
	[ -e "$prefix/$f" ] || fail "cmake --install did not install $f"
done
soname=$(readelf -d "$prefix/lib/libxsk.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = libxsk.so.0 ] || fail "CMake's soname is '$soname', not libxsk.so.0"
exported=$(nm -D --defined-only "$prefix/lib/libxsk.so" | awk '{print $3}' | sort)
made=$(nm -D --defined-only "$top/$objdir/libxsk.so" 2>/dev/null | awk '{print $3}' | sort)
[ -z "$made" ] || [ "$exported" = "$made" ] ||
	fail "CMake's libxsk.so exports other symbols than the Makefile's"
run_cmake find_package -DCMAKE_PREFIX_PATH="$prefix"

# Meson: the tree as a subproject; pkg-config must not find another one.
m=$tmp/meson
mkdir -p "$m/subprojects"
cp -r "$tmp/libxsk" "$m/subprojects/libxsk"
cp tests/consumer.c "$m/"
cat >"$m/meson.build" <<'EOC'
project('consumer', 'c')
xsk = dependency('libxsk', version: '>=0.2')
executable('consumer', 'consumer.c', dependencies: xsk)
EOC
{
	PKG_CONFIG_LIBDIR=$tmp/none meson setup "$m/build" "$m" &&
		ninja -C "$m/build"
} >"$tmp/meson.log" 2>&1 || {
	tail -n 30 "$tmp/meson.log"
	fail "Meson consumer with libxsk as a subproject"
}
grep -q 'libxsk.*found: NO' "$tmp/meson.log" &&
	grep -q 'Subproject libxsk finished' "$tmp/meson.log" ||
	fail "Meson did not fall back to the subproject"
"$m/build/consumer" >/dev/null || fail "the Meson consumer fails"
ldd "$m/build/consumer" | grep -q 'libxsk.so.0 =>' ||
	fail "the Meson consumer does not load libxsk.so.0"
echo "ok: Meson consumer, dependency('libxsk') falling back to the subproject"
