#!/usr/bin/env python3
"""live-send.py - real UDP traffic between the live test's hosts.

The test's hosts are network namespaces; every address belongs to one of
them.  Sockets are made inside the namespace that owns their address (via
setns(2)) and bound to it, so each datagram really crosses the veth links
and the gateway, where callfence captures it.

  live-send.py pcap FILE --ns NAME=ADDR[,ADDR...] ... [--gap S]
      Send the UDP payloads of a capture made by tests/gen/cfgen, in order,
      from their source address and port to their destination.  Every
      source and destination address must belong to a --ns namespace: a
      capture with any other address is refused (nothing is sent).
  live-send.py flood --ns NAME=ADDR --to ADDR:PORT --count N
      N datagrams from N different source ports: N new flows.
  live-send.py burst --ns NAME=ADDR --to ADDR:PORT --count N [--size B]
      N datagrams of B bytes of payload (default 1200: a media packet)
      from one socket, back to back, as fast as the sender can: one flow.

Needs root (setns).  Exit status 0, 2 on bad input.
"""
import ctypes
import os
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
MAX_PACKETS = 10000

libc = ctypes.CDLL(None, use_errno=True)


def die(msg):
    sys.stderr.write("live-send: %s\n" % msg)
    sys.exit(2)


def enter_ns(name):
    fd = os.open("/var/run/netns/" + name, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            die("setns %s: %s" % (name, os.strerror(ctypes.get_errno())))
    finally:
        os.close(fd)


def parse_ns(specs):
    owner = {}
    for spec in specs:
        name, _, addrs = spec.partition("=")
        for a in addrs.split(","):
            owner[socket.inet_pton(family(a), a)] = name
    return owner


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def udp_packets(path):
    """(src, sport, dst, dport, payload) of every UDP packet of a pcap
    (Ethernet or raw IP link), addresses as packed bytes."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xa1b2c3d4, 0xa1b23c4d):
        die("%s: not a little-endian pcap file" % path)
    link = struct.unpack("<I", data[20:24])[0]
    off, out = 24, []
    while off + 16 <= len(data) and len(out) < MAX_PACKETS:
        caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        l3 = frame[14:] if link == 1 else frame
        if link == 1 and frame[12:14] not in (b"\x08\x00", b"\x86\xdd"):
            continue
        pkt = ip_udp(l3)
        if pkt is not None:
            out.append(pkt)
    return out


def ip_udp(p):
    if len(p) < 20:
        return None
    if p[0] >> 4 == 4:
        ihl = (p[0] & 15) * 4
        if p[9] != 17:
            return None
        src, dst, l4 = p[12:16], p[16:20], p[ihl:]
    elif p[0] >> 4 == 6 and len(p) >= 48:
        if p[6] != 17:
            return None
        src, dst, l4 = p[8:24], p[24:40], p[40:]
    else:
        return None
    sport, dport, ulen = struct.unpack("!HHH", l4[:6])
    return (src, sport, dst, dport, l4[8:ulen])


def addr_str(packed):
    fam = socket.AF_INET6 if len(packed) == 16 else socket.AF_INET
    return socket.inet_ntop(fam, packed)


def make_socket(owner, addr, port, home):
    fam = socket.AF_INET6 if len(addr) == 16 else socket.AF_INET
    enter_ns(owner[addr])
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr_str(addr), port))
    enter_ns_fd(home)
    return s


def enter_ns_fd(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        die("setns back: %s" % os.strerror(ctypes.get_errno()))


def cmd_pcap(args):
    path, specs, gap = args[0], [], 0.002
    i = 1
    while i < len(args):
        if args[i] == "--ns":
            specs.append(args[i + 1])
        elif args[i] == "--gap":
            gap = float(args[i + 1])
        i += 2
    owner = parse_ns(specs)
    pkts = udp_packets(path)
    for src, _, dst, _, _ in pkts:
        for a in (src, dst):
            if a not in owner:
                die("%s: address %s belongs to no test host: refused"
                    % (path, addr_str(a)))
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    socks = {}
    for src, sport, dst, dport, _ in pkts:
        for a, p in ((src, sport), (dst, dport)):
            if (a, p) not in socks:
                socks[(a, p)] = make_socket(owner, a, p, home)
    for src, sport, dst, dport, payload in pkts:
        socks[(src, sport)].sendto(payload, (addr_str(dst), dport))
        time.sleep(gap)
    for s in socks.values():
        s.close()
    print("sent %d datagrams" % len(pkts))


def cmd_flood(args):
    ns = to = None
    count = 0
    i = 0
    while i < len(args):
        if args[i] == "--ns":
            ns = args[i + 1]
        elif args[i] == "--to":
            to = args[i + 1]
        elif args[i] == "--count":
            count = min(int(args[i + 1]), MAX_PACKETS)
        i += 2
    name, _, src = ns.partition("=")
    host, _, port = to.rpartition(":")
    enter_ns(name)
    for k in range(count):
        s = socket.socket(family(src), socket.SOCK_DGRAM)
        s.bind((src, 20000 + k))
        s.sendto(b"flood", (host.strip("[]"), int(port)))
        s.close()
    print("sent %d datagrams from %d ports" % (count, count))


def cmd_burst(args):
    ns = to = None
    count, size = 0, 1200
    i = 0
    while i < len(args):
        if args[i] == "--ns":
            ns = args[i + 1]
        elif args[i] == "--to":
            to = args[i + 1]
        elif args[i] == "--count":
            count = min(int(args[i + 1]), MAX_PACKETS)
        elif args[i] == "--size":
            size = min(max(int(args[i + 1]), 1), 1400)
        i += 2
    if ns is None or to is None:
        die("burst: --ns and --to are needed")
    name, _, src = ns.partition("=")
    host, _, port = to.rpartition(":")
    enter_ns(name)
    s = socket.socket(family(src), socket.SOCK_DGRAM)
    s.bind((src, 0))
    dst = (host.strip("[]"), int(port))
    payload = bytes(size)
    t0 = time.monotonic()
    for _ in range(count):
        s.sendto(payload, dst)
    took = time.monotonic() - t0
    s.close()
    print("sent %d datagrams of %d bytes in %.1f ms" % (count, size, took * 1000))


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("pcap", "flood", "burst"):
        die("usage: live-send.py pcap FILE --ns NAME=ADDR,... | "
            "flood --ns NAME=ADDR --to ADDR:PORT --count N | "
            "burst --ns NAME=ADDR --to ADDR:PORT --count N [--size B]")
    if sys.argv[1] == "pcap":
        cmd_pcap(sys.argv[2:])
    elif sys.argv[1] == "flood":
        cmd_flood(sys.argv[2:])
    else:
        cmd_burst(sys.argv[2:])


if __name__ == "__main__":
    main()
