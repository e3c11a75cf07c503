# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=sh disable=SC2034 # provides is read by build.sh
# libseccomp: the default seccomp profile of containers (BPF filters built from
# syscall names).
provides="libseccomp.a"

kl_build() {
        # Debian's patch updates src/syscalls.csv to Linux 6.7; make regenerates
        # the syscall lookup table from it with gperf.
        kl_configure --disable-python
        # Only the headers, the library and its .pc: not tools/, tests/ or doc/.
        # (Not `make SUBDIRS=...`: a variable set on make's command line is
        # passed down to every sub-make, which then recurses into itself.)
        kl_make -C include
        kl_make -C src
        kl_make -C include install DESTDIR="$STAGE"
        kl_make -C src install DESTDIR="$STAGE"
        kl_make install-pkgconfDATA DESTDIR="$STAGE"
}
