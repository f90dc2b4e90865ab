#!/usr/bin/env python3
"""strip-signatures.py MODULE...: removes the appended signature of each
kernel module given (an uncompressed .ko), in place. Only for the bench:
booting the same modules with and without their signatures shows what
verifying them costs the kernel (a kernel that does not enforce
signatures loads an unsigned module, tainted)."""
import struct
import sys

MAGIC = b"~Module signature appended~\n"
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        data = f.read()
    if not data.endswith(MAGIC):
        continue
    # struct module_signature (12 bytes) before the magic; its last field,
    # big-endian, is the signature's length
    info = data[-len(MAGIC) - 12:-len(MAGIC)]
    sig_len = struct.unpack(">I", info[8:12])[0]
    with open(path, "wb") as f:
        f.write(data[:-len(MAGIC) - 12 - sig_len])
