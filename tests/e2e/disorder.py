#!/usr/bin/env python3
"""disorder.py - a capture whose packet times go back now and then.

  disorder.py IN.pcap OUT.pcap EVERY BACK_US

Copies a classic pcap file (microsecond or nanosecond, little-endian, as
cfgen writes them), moving the time of every EVERY-th packet BACK_US
microseconds into the past, so that the file is out of order by that much
(as captures from several queues or merged by hand can be).  The records
stay where they are.  Only the Python standard library is used.
"""

import struct
import sys


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    src, dst = sys.argv[1], sys.argv[2]
    every, back_us = int(sys.argv[3]), int(sys.argv[4])
    with open(src, "rb") as f:
        data = f.read()
    if len(data) < 24:
        sys.exit(f"disorder.py: {src}: too short for a pcap file header")
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        sys.exit(f"disorder.py: {src}: not a little-endian pcap file ({magic:#x})")
    nano = magic == 0xA1B23C4D
    out = bytearray(data[:24])
    off, n = 24, 0
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        if off + 16 + incl > len(data):
            sys.exit(f"disorder.py: {src}: record {n + 1} cut short")
        t = sec * 1000000 + (frac // 1000 if nano else frac)
        if n % every == every - 1 and t > back_us:
            t -= back_us
        sec, us = divmod(t, 1000000)
        out += struct.pack("<IIII", sec, us * 1000 if nano else us, incl, orig)
        out += data[off + 16:off + 16 + incl]
        off += 16 + incl
        n += 1
    with open(dst, "wb") as f:
        f.write(out)
    print(f"{n} packets, every {every}th {back_us} us back")


if __name__ == "__main__":
    main()
