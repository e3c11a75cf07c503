# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=sh disable=SC2034 # provides is read by build.sh
# jansson: JSON, the API's wire format and the store's value format.
provides="libjansson.a"

kl_build() {
        # The Debian tarball has configure.ac but no configure.
        autoreconf -fi
        kl_configure
        # src/ and the .pc only: not doc/ (sphinx) or test/.
        kl_make -C src
        kl_make -C src install DESTDIR="$STAGE"
        kl_make install-pkgconfigDATA DESTDIR="$STAGE"
}
