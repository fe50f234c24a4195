#!/usr/bin/env python3
"""real-mix.py - a benchmark capture made of real call captures.

  real-mix.py OUT MIN_FLOWS CAPTURE...

Each CAPTURE (pcap or pcapng, Ethernet; others are left out with a
note) is read once; its packets keep their order and their gaps, except
that a gap longer than MAX_GAP seconds (some captures hold packets years
apart) becomes MAX_GAP, and every capture starts at time 0.  The
captures are laid over each other into one base set, whose flows
(5-tuples, either direction) are counted; then the base set is written
REPLICAS times, each copy through `tcprewrite --seed=N` (N = 1, 2, ...:
every copy's addresses randomised differently, IPv4 and IPv6, the same
for the same N) and shifted to start STEP seconds (with a jitter of the
same seed) after the one before, so that many calls overlap as on a
gateway.  REPLICAS is the least number that gives MIN_FLOWS flows.  The
copies are merged in time order into OUT (pcap, microseconds).  The same
inputs give the same bytes.

Environment: TCPREWRITE (default tcprewrite, Debian package tcpreplay).
Prints a line: captures used, replicas, packets, flows (estimated as
replicas x base flows).
"""
import os
import random
import struct
import subprocess
import sys
import tempfile

MAX_GAP = 10.0          # seconds: longer gaps in a capture are cut to this
STEP = 0.25             # seconds between the starts of two copies (mean)
ETHERNET = 1


def read_pcap(path):
    """(linktype, [(ts_float, data_bytes, orig_len)]) of a pcap file."""
    with open(path, "rb") as f:
        buf = f.read()
    magic = buf[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise ValueError("%s: not a pcap file" % path)
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(end + "I", buf[20:24])[0] & 0x0fffffff
    recs = []
    off = 24
    hdr = struct.Struct(end + "IIII")
    while off + 16 <= len(buf):
        sec, frac, incl, orig = hdr.unpack_from(buf, off)
        off += 16
        if off + incl > len(buf):
            break
        recs.append((sec + frac / (1e9 if nano else 1e6), buf[off:off + incl], orig))
        off += incl
    return linktype, recs


def write_pcap(path, recs, snaplen=262144):
    hdr = struct.Struct("<IIII")
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, snaplen, ETHERNET))
        for ts, data, orig in recs:
            sec = int(ts)
            usec = int(round((ts - sec) * 1e6))
            if usec >= 1000000:
                sec, usec = sec + 1, usec - 1000000
            f.write(hdr.pack(sec, usec, len(data), orig))
            f.write(data)


def flow_key(data):
    """A direction-free 5-tuple of an Ethernet frame, or None."""
    off, et = 14, struct.unpack_from(">H", data, 12)[0] if len(data) >= 14 else 0
    while et in (0x8100, 0x88a8) and len(data) >= off + 4:
        et = struct.unpack_from(">H", data, off + 2)[0]
        off += 4
    if et == 0x0800 and len(data) >= off + 20:
        ihl = (data[off] & 15) * 4
        proto = data[off + 9]
        a, b = data[off + 12:off + 16], data[off + 16:off + 20]
        l4 = off + ihl
    elif et == 0x86dd and len(data) >= off + 40:
        proto = data[off + 6]
        a, b = data[off + 8:off + 24], data[off + 24:off + 40]
        l4 = off + 40
    else:
        return None
    pa = pb = 0
    if proto in (6, 17, 132) and len(data) >= l4 + 4:
        pa, pb = struct.unpack_from(">HH", data, l4)
    x, y = (a, pa), (b, pb)
    return (proto,) + (x + y if x <= y else y + x)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    out, min_flows, caps = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    tcprewrite = os.environ.get("TCPREWRITE", "tcprewrite")
    tmp = tempfile.mkdtemp(prefix="real-mix.", dir=os.path.dirname(os.path.abspath(out)))
    try:
        base, used, flows = [], [], set()
        for i, cap in enumerate(caps):
            # tcprewrite without edits: any format libpcap reads -> pcap
            conv = os.path.join(tmp, "c%d.pcap" % i)
            r = subprocess.run([tcprewrite, "-i", cap, "-o", conv],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if r.returncode != 0:
                print("real-mix: %s left out: %s" % (cap, r.stderr.decode()[:200].strip()),
                      file=sys.stderr)
                continue
            lt, recs = read_pcap(conv)
            if lt != ETHERNET or not recs:
                print("real-mix: %s left out (link type %d, %d packets)" % (cap, lt, len(recs)),
                      file=sys.stderr)
                continue
            t, prev = 0.0, recs[0][0]
            for ts, data, orig in recs:
                t += min(max(ts - prev, 0.0), MAX_GAP)
                prev = ts
                base.append((t, i, len(base), data, orig))
                k = flow_key(data)
                if k is not None:
                    flows.add(k)
            used.append(os.path.basename(cap))
        if not base:
            sys.exit("real-mix: no capture could be used")
        base.sort()
        basefile = os.path.join(tmp, "base.pcap")
        write_pcap(basefile, [(t, d, o) for t, _, _, d, o in base])
        replicas = max(1, -(-min_flows // max(1, len(flows))))
        t0 = 1700000000.0
        rng = random.Random(20)
        mixed = []
        rep = os.path.join(tmp, "rep.pcap")
        start = 0.0
        for n in range(1, replicas + 1):
            r = subprocess.run([tcprewrite, "--seed=%d" % n, "-i", basefile, "-o", rep],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if r.returncode != 0:
                sys.exit("real-mix: tcprewrite --seed=%d failed: %s" % (n, r.stderr.decode()[:300]))
            _, recs = read_pcap(rep)
            for j, (ts, data, orig) in enumerate(recs):
                mixed.append((t0 + start + ts, n, j, data, orig))
            start += STEP * (0.5 + rng.random())
        mixed.sort(key=lambda r: (r[0], r[1], r[2]))
        write_pcap(out + ".tmp", [(t, d, o) for t, _, _, d, o in mixed])
        os.replace(out + ".tmp", out)
        print("real mix: %d captures (%s), %d copies, %d packets, about %d flows" % (
            len(used), " ".join(used), replicas, len(mixed), replicas * len(flows)))
    finally:
        for f in os.listdir(tmp):
            os.remove(os.path.join(tmp, f))
        os.rmdir(tmp)


if __name__ == "__main__":
    main()
