# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=sh disable=SC2034 # provides is read by build.sh
# libuv: the event loop (sockets, timers, child processes, async DNS via
# uv_getaddrinfo) under every kube-lite component.
provides="libuv.a"

kl_build() {
        # CMake, for its static target uv_a. Build type None: our CFLAGS, not
        # CMake's -O3/-DNDEBUG. No tests or benchmarks.
        cmake -S . -B build -DCMAKE_C_COMPILER="$CC" -DCMAKE_BUILD_TYPE=None \
                -DCMAKE_C_FLAGS="$CFLAGS $CPPFLAGS" \
                -DBUILD_TESTING=OFF -DLIBUV_BUILD_TESTS=OFF -DLIBUV_BUILD_BENCH=OFF \
                -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_INSTALL_LIBDIR=lib \
                -DCMAKE_INSTALL_INCLUDEDIR=include
        cmake --build build --target uv_a -j "$JOBS"
        # Installed by hand: CMake's install rule also wants the shared target.
        # libuv_a.a becomes libuv.a so that -luv works; both .pc names say -luv.
        d=$STAGE$PREFIX
        mkdir -p "$d/lib/pkgconfig" "$d/include"
        cp build/libuv_a.a "$d/lib/libuv.a"
        cp -R include/. "$d/include/"
        cp build/libuv.pc "$d/lib/pkgconfig/libuv.pc"
        sed 's/-luv_a/-luv/' build/libuv-static.pc >"$d/lib/pkgconfig/libuv-static.pc"
}
