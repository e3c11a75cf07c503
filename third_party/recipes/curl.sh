# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=sh disable=SC2034 # provides is read by build.sh
# libcurl: HTTP(S) client for image registries and for talking to API servers.
provides="libcurl.a"

kl_build() {
        # Debian builds its OpenSSL, GnuTLS and NSS flavours from one tree: the
        # last two patches of the series rename the library to libcurl-gnutls
        # and then libcurl-nss. Revert them, newest first, for plain libcurl.
        # Check they are still the last two, so a new Debian revision that
        # reorders the series fails here rather than building the wrong thing.
        last=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' debian/patches/series | tail -n 2 | tr '\n' ' ')
        [ "$last" = "90_gnutls.patch 99_nss.patch " ] ||
                die "curl: expected 90_gnutls.patch 99_nss.patch last in debian/patches/series, found: $last"
        patch -R -p1 --no-backup-if-mismatch <debian/patches/99_nss.patch
        patch -R -p1 --no-backup-if-mismatch <debian/patches/90_gnutls.patch
        # Debian's patches edit Makefile.am and configure.ac.
        autoreconf -fi
        # HTTP and HTTPS only, with OpenSSL and zlib; every other protocol and
        # every optional library off, so nothing is looked for on the host.
        # The CA paths are fixed rather than probed on the build machine.
        kl_configure \
                --with-openssl="$PREFIX" --with-zlib="$PREFIX" \
                --with-ca-bundle=/etc/ssl/certs/ca-certificates.crt --with-ca-path=/etc/ssl/certs \
                --enable-http --disable-ftp --disable-file --disable-ldap --disable-ldaps \
                --disable-rtsp --disable-dict --disable-telnet --disable-tftp --disable-pop3 \
                --disable-imap --disable-smb --disable-smtp --disable-gopher --disable-mqtt \
                --disable-manual --disable-ntlm-wb --disable-ares \
                --without-zstd --without-brotli --without-nghttp2 --without-ngtcp2 \
                --without-nghttp3 --without-quiche --without-msh3 --without-hyper \
                --without-libidn2 --without-libpsl --without-librtmp --without-libssh2 \
                --without-libssh --without-wolfssh --without-libgsasl --without-gssapi \
                --without-zsh-functions-dir --without-fish-functions-dir
        kl_require_define lib/curl_config.h USE_OPENSSL
        kl_require_define lib/curl_config.h HAVE_LIBZ
        # The library, its headers and libcurl.pc; not the curl CLI.
        kl_make -C lib
        kl_make -C lib install DESTDIR="$STAGE"
        kl_make -C include install DESTDIR="$STAGE"
        kl_make install-pkgconfigDATA DESTDIR="$STAGE"
}
