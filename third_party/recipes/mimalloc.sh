# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=sh disable=SC2034 # provides is read by build.sh
# mimalloc: the allocator of the static binary, in place of musl's own. The API
# server, the watch cache and the controllers allocate and free many small
# JSON nodes per request; musl's mallocng, built for compactness, made the
# static binary half as fast as the same code on glibc (docs/decisions.md,
# "The allocator of the static binary").
provides="libmimalloc.a"

kl_build() {
        # Speed is this library's point, so CMake's Release flags (-O3) rather
        # than the -Os the other libraries get. The single-object target holds
        # all of mimalloc with malloc, free, realloc, posix_memalign and
        # friends defined (MI_OVERRIDE): linked before musl's libc.a, every
        # allocation in the process, the libraries' included, goes to it.
        cmake -S . -B build -DCMAKE_C_COMPILER="$CC" -DCMAKE_BUILD_TYPE=Release \
                -DCMAKE_C_FLAGS="$CPPFLAGS -ffunction-sections -fdata-sections -fPIE" \
                -DMI_OVERRIDE=ON -DMI_BUILD_OBJECT=ON -DMI_BUILD_STATIC=OFF \
                -DMI_BUILD_SHARED=OFF -DMI_BUILD_TESTS=OFF
        cmake --build build --target mimalloc-obj -j "$JOBS"
        # An archive of that one object, so that -lmimalloc works like the
        # other -l flags (third_party/link-flags puts it first).
        d=$STAGE$PREFIX
        mkdir -p "$d/lib" "$d/include"
        ar rcs "$d/lib/libmimalloc.a" build/CMakeFiles/mimalloc-obj.dir/src/static.c.o
        cp include/mimalloc.h "$d/include/"
}
