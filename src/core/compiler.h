/* What the compiler is told about our functions. */
#ifndef PT_COMPILER_H
#define PT_COMPILER_H

/* A status that must not be dropped: the compiler warns (and -Werror
 * fails) when a caller ignores it. */
#define PT_MUST_CHECK __attribute__((warn_unused_result))

#endif
