# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=sh disable=SC2034 # provides is read by build.sh
# libyaml: YAML manifests (kubectl apply -f, config files).
provides="libyaml.a"

kl_build() {
        # The Debian tarball has configure.ac but no configure.
        autoreconf -fi
        kl_configure
        # include/ and src/ only: not the test programs.
        kl_make SUBDIRS="include src"
        kl_make install SUBDIRS="include src" DESTDIR="$STAGE"
}
