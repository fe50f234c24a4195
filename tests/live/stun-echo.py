#!/usr/bin/env python3
"""stun-echo.py - the least of a STUN server and client (RFC 8489 Binding),
for test-rtt-netns.sh.

    stun-echo.py serve PORT ADDR...    answer every Binding request on
                                       UDP PORT of each ADDR (from that
                                       address) with a success response,
                                       same transaction ID
    stun-echo.py ask HOST PORT N       send N Binding requests (new
                                       transaction IDs), one after the
                                       other's answer; exit 0 when all are
                                       answered within 5 s each
"""
import os
import select
import socket
import struct
import sys

COOKIE = 0x2112A442


def serve(port, addrs):
    socks = []
    for a in addrs:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((a, port))
        socks.append(s)
    while True:
        ready, _, _ = select.select(socks, [], [])
        s = ready[0]
        data, peer = s.recvfrom(2048)
        if len(data) < 20:
            continue
        typ, _, cookie = struct.unpack("!HHI", data[:8])
        if typ != 0x0001 or cookie != COOKIE:
            continue
        s.sendto(struct.pack("!HHI", 0x0101, 0, COOKIE) + data[8:20], peer)


def ask(host, port, n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    for _ in range(n):
        tx = os.urandom(12)
        s.sendto(struct.pack("!HHI", 0x0001, 0, COOKIE) + tx, (host, port))
        while True:
            data, _ = s.recvfrom(2048)
            if data[8:20] == tx:
                break
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]), sys.argv[3:])
    else:
        sys.exit(ask(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
