# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=sh disable=SC2034 # provides is read by build.sh
# zlib: gzip for image layers (through libarchive) and HTTP content-encoding (curl).
# Sourced by third_party/build.sh inside the unpacked tree; see kl_build there.
provides="libz.a"

kl_build() {
        # zlib's configure is its own script, not autoconf: it reads CC and
        # CFLAGS from the environment, and --static builds only libz.a.
        ./configure --static --prefix="$PREFIX" --libdir="$PREFIX/lib" --includedir="$PREFIX/include"
        kl_make libz.a
        kl_make install DESTDIR="$STAGE"
}
