# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=sh disable=SC2034 # provides is read by build.sh
# libyaml: YAML manifests (kubectl apply -f, config files).
provides="libyaml.a"

kl_build() {
        # The Debian tarball has configure.ac but no configure.
        autoreconf -fi
        kl_configure
        # include/, src/ and the .pc only: not the test programs.
        kl_make -C include
        kl_make -C src
        kl_make -C include install DESTDIR="$STAGE"
        kl_make -C src install DESTDIR="$STAGE"
        kl_make install-pkgconfigDATA DESTDIR="$STAGE"
}
