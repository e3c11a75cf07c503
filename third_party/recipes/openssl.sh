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
        # --openssldir=/etc/ssl: openssl.cnf and the CA store of the machine the
        # binary runs on, as Debian's own build; not a path in the build cache.
        # --libdir=lib: not lib64.
        ./Configure "$(openssl_target)" --prefix="$PREFIX" --libdir=lib --openssldir=/etc/ssl \
                no-shared no-tests no-async
        # build_libs + install_dev: libraries, headers and .pc files only; the
        # CLI and the manual pages would double the build time.
        kl_make build_libs
        kl_make install_dev DESTDIR="$STAGE"
}
