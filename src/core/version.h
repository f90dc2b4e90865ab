/* The release, for --version. */
#ifndef PT_VERSION_H
#define PT_VERSION_H

#define PT_VERSION "0.2.0"

#endif
