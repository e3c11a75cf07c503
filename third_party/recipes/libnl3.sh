# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=sh disable=SC2034 # provides is read by build.sh
# libnl: netlink for links, addresses, routes and neighbours (libnl-route),
# generic netlink (libnl-genl), and the raw nfnetlink messages that program
# nf_tables (libnl-3 with the kernel's linux/netfilter/nf_tables.h).
provides="libnl-3.a libnl-route-3.a libnl-genl-3.a"

# Only the three libraries kube-lite uses, and their .pc files (idiag, nf and
# xfrm are left out). Overriding the automake variables on make's command
# line limits both the build and the install to them.
NL_LIBS="lib/libnl-3.la lib/libnl-route-3.la lib/libnl-genl-3.la"
NL_PCS="libnl-3.0.pc libnl-route-3.0.pc libnl-genl-3.0.pc"

kl_build() {
        # Debian's patches edit Makefile.am (config under /etc/libnl-3).
        autoreconf -fi
        # --sysconfdir=/etc: libnl reads classid and pktloc from there at run
        # time; otherwise the build cache's path would be compiled in.
        # No CLI tools.
        kl_configure --sysconfdir=/etc --disable-cli
        kl_make lib_LTLIBRARIES="$NL_LIBS" pkgconfig_DATA="$NL_PCS"
        kl_make install lib_LTLIBRARIES="$NL_LIBS" pkgconfig_DATA="$NL_PCS" DESTDIR="$STAGE"
}
