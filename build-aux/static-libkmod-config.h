/* What kmod's configure would find on a Debian system, for compiling
 * libkmod into a static binder (see static-deps.sh). */
#define HAVE_STRUCT_STAT_ST_MTIM 1
#define HAVE_STATIC_ASSERT 1
#define HAVE_NORETURN 1
#define HAVE_SECURE_GETENV 1
/* musl has strdupa but not strndupa: kmod's missing.h supplies it there. */
#ifndef HAVE_DECL_STRNDUPA
#define HAVE_DECL_STRNDUPA 1
#endif
#define HAVE_DECL_BE32TOH 1
#define ENABLE_LOGGING 1
#define ENABLE_DEBUG 0
#define ENABLE_XZ 1
#define ENABLE_ZSTD 1
/* gzip (Alpine's modules) for the musl build only: static-deps.sh passes
 * -DENABLE_ZLIB; the glibc one stays 90 KB smaller. */
#ifdef ENABLE_ZLIB
#define KMOD_FEATURES "+ZSTD +XZ +ZLIB"
#else
#define KMOD_FEATURES "+ZSTD +XZ"
#endif
#define PACKAGE "kmod"
#define VERSION "30"
