#!/usr/bin/env python3
"""delayline.py - a wire with latency between two network namespaces, made of
two TUN devices and this process copying IP packets between them after a
delay (what `tc qdisc add ... netem delay` does, for kernels without
sch_netem).  Used by test-rtt-netns.sh.

    delayline.py --ns-a NS --ns-b NS --name-a IF --name-b IF
                 --delay MS [--jitter MS] [--slow-synack MS] --ready FILE

Creates TUN device IF-A in namespace NS-A and IF-B in NS-B (both without
packet information headers: raw IP), writes FILE once both exist, then
forwards every packet each way after MS milliseconds (each direction half
of it, so a round trip through the line takes MS), plus, per packet, a
uniform random extra of 0..JITTER milliseconds (packets may overtake one
another, as with netem's jitter).  --slow-synack: the first TCP SYN/ACK
coming back from B is held that many milliseconds more (a server slow to
answer a handshake).  Runs until killed.
"""
import argparse
import ctypes
import fcntl
import heapq
import os
import random
import select
import struct
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000

libc = ctypes.CDLL(None, use_errno=True)


def enter(ns):
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns " + ns)
    os.close(fd)


def tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    os.set_blocking(fd, False)
    return fd


def is_synack(pkt):
    if len(pkt) < 20 or pkt[0] >> 4 != 4 or pkt[9] != 6:
        return False
    ihl = (pkt[0] & 15) * 4
    return len(pkt) >= ihl + 14 and pkt[ihl + 13] & 0x12 == 0x12


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ns-a", required=True)
    ap.add_argument("--ns-b", required=True)
    ap.add_argument("--name-a", required=True)
    ap.add_argument("--name-b", required=True)
    ap.add_argument("--delay", type=float, required=True)
    ap.add_argument("--jitter", type=float, default=0.0)
    ap.add_argument("--slow-synack", type=float, default=0.0)
    ap.add_argument("--ready", required=True)
    o = ap.parse_args()

    enter(o.ns_a)
    fa = tun(o.name_a)
    enter(o.ns_b)
    fb = tun(o.name_b)
    with open(o.ready, "w") as f:
        f.write("%d\n" % os.getpid())

    other = {fa: fb, fb: fa}
    half = o.delay / 2000.0
    slow = o.slow_synack / 1000.0
    queue = []          # (due, seq, fd to write, packet)
    seq = 0
    while True:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, pkt = heapq.heappop(queue)
            try:
                os.write(out, pkt)
            except OSError:
                pass
        timeout = max(0.0, queue[0][0] - now) if queue else 1.0
        ready, _, _ = select.select([fa, fb], [], [], timeout)
        for fd in ready:
            while True:
                try:
                    pkt = os.read(fd, 65536)
                except (BlockingIOError, OSError):
                    break
                due = time.monotonic() + half + random.uniform(0, o.jitter / 1000.0)
                if fd == fb and slow > 0 and is_synack(pkt):
                    due += slow
                    slow = 0
                seq += 1
                heapq.heappush(queue, (due, seq, other[fd], pkt))


if __name__ == "__main__":
    main()
