# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=sh disable=SC2034 # provides is read by build.sh
# SQLite: the cluster state store (kine-style, in one file).
provides="libsqlite3.a"

kl_build() {
        # Built from the amalgamation that `make` generates (lemon, tclsh) from
        # the canonical sources, with the shipped configure: Debian's configure.ac
        # patches concern its shared library (libdl, malloc_usable_size) only.
        # The feature macros go in CFLAGS so that configure passes them to the
        # generators as well (OPT_FEATURE_FLAGS), as SQLite requires.
        # THREADSAFE=1: the store is used from the loop and worker threads.
        # WAL_SYNCHRONOUS=1: in WAL mode, fsync at checkpoints, not every commit.
        # (No switch makes WAL the default: the store sets journal_mode=WAL.)
        # --disable-load-extension: no dlopen in a static binary.
        CFLAGS="$CFLAGS -DSQLITE_THREADSAFE=1 -DSQLITE_DEFAULT_WAL_SYNCHRONOUS=1"
        kl_configure --disable-tcl --disable-readline --disable-editline \
                --disable-load-extension --enable-threadsafe
        # The library and its .pc only, not the sqlite3 shell.
        kl_make libsqlite3.la sqlite3.h sqlite3.pc
        kl_make lib_install DESTDIR="$STAGE"
        mkdir -p "$STAGE$PREFIX/include" "$STAGE$PREFIX/lib/pkgconfig"
        cp sqlite3.h src/sqlite3ext.h "$STAGE$PREFIX/include/"
        cp sqlite3.pc "$STAGE$PREFIX/lib/pkgconfig/"
}
