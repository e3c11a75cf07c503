# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=sh disable=SC2034 # provides is read by build.sh
# libzstd: zstd-compressed image layers (through libarchive).
provides="libzstd.a"

# No decoders for the pre-1.0 frame formats (zstd v0.1-v0.7, 2016 and older):
# no OCI image uses them, and they would be linked in by ZSTD_decompress*.
ZSTD_VARS="ZSTD_LEGACY_SUPPORT=0 PREFIX=$PREFIX LIBDIR=$PREFIX/lib INCLUDEDIR=$PREFIX/include"

kl_build() {
        # Only lib/: the CLI, contrib and tests are not needed. The static
        # library is single-threaded by default, which is all decompression needs.
        # shellcheck disable=SC2086
        kl_make -C lib libzstd.a $ZSTD_VARS
        # shellcheck disable=SC2086
        kl_make -C lib install-static install-includes install-pc $ZSTD_VARS DESTDIR="$STAGE"
}
