/* What kmod's meson setup would find on a Debian system, for compiling
 * libkmod (Debian 13's kmod 34) into a static binder (see static-deps.sh):
 * compression libraries linked, not dlopen()ed; no OpenSSL (the binder
 * never reads a module's signature). */
#define HAVE_STRUCT_STAT_ST_MTIM 1
#define HAVE_STATIC_ASSERT 1
#define HAVE_NORETURN 1
#define HAVE_SECURE_GETENV 1
#define HAVE_DECL_BASENAME 1
#define HAVE___BUILTIN_UADD_OVERFLOW 1
#define HAVE___BUILTIN_UADDL_OVERFLOW 1
#define HAVE___BUILTIN_UADDLL_OVERFLOW 1
#define HAVE___BUILTIN_UMUL_OVERFLOW 1
#define HAVE___BUILTIN_UMULL_OVERFLOW 1
#define HAVE___BUILTIN_UMULLL_OVERFLOW 1
#define ENABLE_LOGGING 1
#define ENABLE_DEBUG 0
#define ENABLE_ELFDBG 0
#define ENABLE_OPENSSL 0
#define ENABLE_XZ 1
#define ENABLE_XZ_DLOPEN 0
#define ENABLE_ZSTD 1
#define ENABLE_ZSTD_DLOPEN 0
/* gzip (Alpine's modules) for the musl build only: static-deps.sh passes
 * -DENABLE_ZLIB=1; the glibc one stays 90 KB smaller. */
#ifndef ENABLE_ZLIB
#define ENABLE_ZLIB 0
#endif
#define ENABLE_ZLIB_DLOPEN 0
#if ENABLE_ZLIB
#define KMOD_FEATURES "+ZSTD +XZ +ZLIB"
#else
#define KMOD_FEATURES "+ZSTD +XZ"
#endif
#define PACKAGE "kmod"
#define VERSION "34"
#define DISTCONFDIR "/usr/lib"
#define MODULE_DIRECTORY "/lib/modules"
