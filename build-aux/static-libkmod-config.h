/* What kmod's configure would find on a Debian system, for compiling
 * libkmod into a static binder (see static-libkmod.sh). */
#define HAVE_STRUCT_STAT_ST_MTIM 1
#define HAVE_STATIC_ASSERT 1
#define HAVE_NORETURN 1
#define HAVE_SECURE_GETENV 1
#define HAVE_DECL_STRNDUPA 1
#define HAVE_DECL_BE32TOH 1
#define ENABLE_LOGGING 1
#define ENABLE_DEBUG 0
#define ENABLE_XZ 1
#define ENABLE_ZSTD 1
#define KMOD_FEATURES "+ZSTD +XZ"
#define PACKAGE "kmod"
#define VERSION "30"
