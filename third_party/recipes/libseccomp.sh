# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=sh disable=SC2034 # provides is read by build.sh
# libseccomp: the default seccomp profile of containers (BPF filters built from
# syscall names).
provides="libseccomp.a"

kl_build() {
        # Debian's patch updates src/syscalls.csv to Linux 6.7; make regenerates
        # the syscall lookup table from it with gperf.
        kl_configure --disable-python
        # Only the headers and the library: not tools/, tests/ or doc/.
        kl_make SUBDIRS="include src"
        kl_make install SUBDIRS="include src" DESTDIR="$STAGE"
}
