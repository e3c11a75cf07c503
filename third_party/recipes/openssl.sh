# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=sh disable=SC2034 # provides is read by build.sh
# OpenSSL: TLS for the API server, kubelet and registry client (through libcurl),
# and the cluster PKI (keys, CSRs, certificates).
# Built from the orig tarball: the pinned version has no .dsc or Debian patches
# in the archive (see the manifest).
provides="libssl.a libcrypto.a"

# OpenSSL names its targets itself; ./config would guess the same from uname,
# but an explicit target documents what is built and fails loudly on a new arch.
openssl_target() {
        case $DEB_ARCH in
        amd64) echo linux-x86_64 ;;
        arm64) echo linux-aarch64 ;;
        armhf | armel) echo linux-armv4 ;;
        i386) echo linux-x86 ;;
        ppc64el) echo linux-ppc64le ;;
        riscv64) echo linux64-riscv64 ;;
        s390x) echo linux64-s390x ;;
        *) die "openssl: no Configure target known for $DEB_ARCH" ;;
        esac
}

kl_build() {
        # Configure takes CC, CFLAGS, CPPFLAGS and LDFLAGS from the environment
        # (CFLAGS replaces its default -O3).
        # no-async: the ASYNC job API needs makecontext/swapcontext, absent in musl.
        # --openssldir=/etc/ssl: openssl.cnf and certs/ of the machine the binary
        # runs on (Debian reaches them there through /usr/lib/ssl's symlinks,
        # Alpine keeps them there); never a path in the build cache.
        # --prefix=/usr: libcrypto compiles in ENGINESDIR and MODULESDIR under
        # the prefix; with the cache's path there the binary would carry the
        # build machine's home directory (and differ per user). A static
        # libcrypto cannot load modules anyway (no dlopen), so a neutral system
        # path is as good as any. The files are moved into the real prefix below. --libdir=lib: not lib64.
        # The compiler flags are compiled in too (OpenSSL_version(OPENSSL_CFLAGS)):
        # reach the kernel headers (for the built-in afalg engine) through a
        # relative symlink, and drop the prefix's include directory, which
        # OpenSSL does not need (and -ffile-prefix-map: OpenSSL's Makefile
        # runs every command from the top with relative paths).
        ln -s "$KHDR" kl-kernel-headers
        CPPFLAGS="-isystem kl-kernel-headers"
        ./Configure "$(openssl_target)" --prefix=/usr --libdir=lib --openssldir=/etc/ssl \
                no-shared no-tests no-async
        # build_libs + install_dev: libraries, headers and .pc files only; the
        # CLI and the manual pages would double the build time.
        kl_make build_libs
        kl_make install_dev DESTDIR="$STAGE"
        mkdir -p "$STAGE$PREFIX"
        mv "$STAGE/usr/include" "$STAGE/usr/lib" "$STAGE$PREFIX/"
        sed -i "s|^prefix=.*|prefix=$PREFIX|" "$STAGE$PREFIX"/lib/pkgconfig/*.pc
}
