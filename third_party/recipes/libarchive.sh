# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=sh disable=SC2034 # provides is read by build.sh
# libarchive: unpacking (and writing) OCI image layers: tar with gzip or zstd.
provides="libarchive.a"

kl_build() {
        # Debian's iconv-pkgconfig.patch edits configure.ac.
        autoreconf -fi
        # Only zlib and zstd: no ACLs or xattrs in layers we unpack, no xar (xml2,
        # expat), no hashes for mtree/xar (openssl, nettle, mbedtls), no other
        # compressors, no iconv (charset conversion of old archive formats).
        kl_configure \
                --disable-bsdtar --disable-bsdcat --disable-bsdcpio \
                --disable-acl --disable-xattr \
                --without-xml2 --without-expat --without-openssl --without-nettle \
                --without-mbedtls --without-cng --without-libb2 \
                --without-lz4 --without-bz2lib --without-lzma --without-lzo2 --without-iconv \
                --with-zlib --with-zstd
        kl_require_define config.h HAVE_ZLIB_H
        kl_require_define config.h HAVE_ZSTD_H
        kl_require_define config.h HAVE_LIBZSTD
        kl_make
        kl_make install DESTDIR="$STAGE"
}
