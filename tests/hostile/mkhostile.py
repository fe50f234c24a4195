#!/usr/bin/env python3
"""mkhostile.py - write the hostile captures of tests/hostile and what
callfence must count for each.

    mkhostile.py OUTDIR [--flood N]

Writes OUTDIR/CASE.pcap for every case and OUTDIR/expect.json:
{CASE: {"decode": {counter: n, ...}, "flows": {...}, "args": [...],
"exit": n, ...}}.  Every packet is built here byte by byte (cfgen makes
well-formed traffic; these are the packets it never would): snaplen cuts,
lying IPv4/IPv6/TCP/UDP lengths, IPv6 extension chains, deep VLAN and
MPLS stacks, fragment floods, TLS/DTLS/STUN length lies, hostile SNI and
DNS names, and a flood of distinct flows.  Each packet is added with the
outcome the decoder must give it (decode.h: ok, not_ip, truncated,
invalid, fragment), so the expected counters are the sum of what each
packet says, not a number copied from a run.
"""

import json
import os
import struct
import sys

LINK_ETHER, LINK_RAW, LINK_NULL, LINK_SLL, LINK_SLL2 = 1, 101, 0, 113, 276
T0 = 1709287200  # 2024-03-01T10:00:00Z

LOCAL = "10.1.0.5"
CN = "203.0.113.10"      # tests/geo: 203.0.113.0/25 is CN
US = "198.51.100.10"     # 198.51.100.0/25 is US


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def ip6(s):
    import ipaddress
    return ipaddress.IPv6Address(s).packed


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def eth(etype, payload, src=b"\x02\0\0\0\0\x05", dst=b"\x02\0\0\0\0\x0a"):
    return dst + src + struct.pack("!H", etype) + payload


def ipv4(src, dst, proto, payload, ihl=5, tot=None, frag=0x4000, options=b"",
         version=4, ident=1):
    hlen = ihl * 4
    opts = options.ljust(max(0, hlen - 20), b"\0")[:max(0, hlen - 20)]
    if tot is None:
        tot = 20 + len(opts) + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", (version << 4) | (ihl & 15), 0, tot & 0xffff,
                    ident, frag, 64, proto, 0, ip4(src), ip4(dst)) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ipv6(src, dst, nh, payload, plen=None, version=6):
    if plen is None:
        plen = len(payload)
    return struct.pack("!IHBB16s16s", version << 28, plen & 0xffff, nh, 64,
                       ip6(src), ip6(dst)) + payload


def udp(sport, dport, payload, ulen=None):
    if ulen is None:
        ulen = 8 + len(payload)
    return struct.pack("!HHHH", sport, dport, ulen & 0xffff, 0) + payload


def tcp(sport, dport, payload, flags=0x18, off=5, seq=1000, ack=1000, opts=b""):
    o = opts.ljust(max(0, off * 4 - 20), b"\0")[:max(0, off * 4 - 20)]
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, (off & 15) << 4,
                       flags, 65535, 0, 0) + o + payload


def udp4(src, dst, sport, dport, payload, **kw):
    return eth(0x0800, ipv4(src, dst, 17, udp(sport, dport, payload), **kw))


def tcp4(src, dst, sport, dport, payload, flags=0x18, seq=1000, ack=1000):
    return eth(0x0800, ipv4(src, dst, 6, tcp(sport, dport, payload, flags, seq=seq,
                                              ack=ack)))


class Capture:
    """Records of one capture file, with the counters they must give."""

    COUNTERS = ("packets", "ok", "not_ip", "truncated", "invalid", "fragments",
                "vlan", "ipv4", "ipv6", "tcp", "udp", "icmp", "other")

    def __init__(self, name, link=LINK_ETHER):
        self.name = name
        self.link = link
        self.records = []
        self.expect = dict((k, 0) for k in self.COUNTERS)
        self.extra = {}
        self.t = 0

    def add(self, frame, outcome, ip=None, l4=None, vlan=False, caplen=None,
            wirelen=None, dt=1000):
        """outcome: ok, not_ip, truncated, invalid, fragment; ip 4/6 and
        l4 tcp/udp/icmp/other for ok and fragment packets."""
        data = frame if caplen is None else frame[:caplen]
        wl = len(frame) if wirelen is None else wirelen
        self.t += dt
        self.records.append((self.t, data, wl))
        e = self.expect
        e["packets"] += 1
        e["fragments" if outcome == "fragment" else outcome] += 1
        if vlan:
            e["vlan"] += 1
        if outcome in ("ok", "fragment"):
            e["ipv%d" % ip] += 1
        if outcome == "ok":
            e[l4] += 1

    def write(self, outdir, truncate_last=None):
        path = os.path.join(outdir, self.name + ".pcap")
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144,
                                self.link))
            for i, (t, data, wl) in enumerate(self.records):
                rec = struct.pack("<IIII", T0 + t // 1000000, t % 1000000,
                                  len(data), wl) + data
                if truncate_last is not None and i == len(self.records) - 1:
                    rec = rec[:16 + truncate_last]
                f.write(rec)
        return path


# ---------------------------------------------------------------- cases

def case_truncated():
    """caplen shorter than len: every header cut in turn (snaplen)."""
    c = Capture("truncated")
    full_udp = udp4(LOCAL, US, 40000, 9999, b"x" * 100)
    full_tcp = tcp4(LOCAL, US, 40001, 80, b"GET / HTTP/1.1\r\n\r\n")
    full_v6 = eth(0x86dd, ipv6("fd00::5", "2001:db8:2::10", 17,
                               udp(40002, 9999, b"y" * 50)))
    c.add(full_udp, "truncated", caplen=10)            # inside Ethernet
    c.add(full_udp, "truncated", caplen=0)             # empty record
    c.add(full_udp, "truncated", caplen=14)            # nothing after it
    c.add(full_udp, "truncated", caplen=14 + 10)       # inside IPv4
    c.add(full_udp, "truncated", caplen=14 + 20 + 4)   # inside UDP
    c.add(full_tcp, "truncated", caplen=14 + 20 + 10)  # inside TCP
    c.add(full_v6, "truncated", caplen=14 + 30)        # inside IPv6
    c.add(full_udp, "ok", ip=4, l4="udp", caplen=14 + 20 + 8 + 7)  # payload cut: fine
    hbh = bytes([17, 0]) + b"\0" * 6                   # hop-by-hop, 8 bytes
    v6ext = eth(0x86dd, ipv6("fd00::5", "2001:db8:2::10", 0,
                             hbh + udp(40003, 9999, b"z" * 20)))
    c.add(v6ext, "truncated", caplen=14 + 40 + 4)      # inside the extension
    tagged = eth(0x8100, struct.pack("!HH", 100, 0x0800) +
                 ipv4(LOCAL, US, 17, udp(40004, 9999, b"q" * 10)))
    c.add(tagged, "truncated", caplen=14 + 2)          # inside the VLAN tag
    c.add(tagged, "truncated", vlan=True, caplen=14 + 4 + 12)  # IPv4 after a tag
    # a record whose caplen says more than the frame had (caplen > len)
    c.add(full_udp, "ok", ip=4, l4="udp", wirelen=60)
    c.extra["flows_created"] = 1      # the two good packets share a 5-tuple
    return c


def case_truncated_links():
    """Cooked and loopback headers cut short."""
    out = []
    body = ipv4(LOCAL, US, 17, udp(40010, 9999, b"a" * 20))
    sll = struct.pack("!HHH8sH", 4, 1, 6, b"\x02\0\0\0\0\x05\0\0", 0x0800) + body
    c = Capture("truncated-sll", LINK_SLL)
    c.add(sll, "truncated", caplen=15)
    c.add(sll, "ok", ip=4, l4="udp")
    out.append(c)
    sll2 = struct.pack("!HHIHBB8s", 0x0800, 0, 2, 1, 4, 6, b"\x02\0\0\0\0\x05\0\0") + body
    c = Capture("truncated-sll2", LINK_SLL2)
    c.add(sll2, "truncated", caplen=19)
    c.add(sll2, "ok", ip=4, l4="udp")
    out.append(c)
    null = struct.pack("<I", 2) + body
    c = Capture("truncated-null", LINK_NULL)
    c.add(null, "truncated", caplen=3)
    c.add(null, "ok", ip=4, l4="udp")
    c.add(struct.pack("<I", 7) + body, "not_ip")
    out.append(c)
    c = Capture("truncated-raw", LINK_RAW)
    c.add(body, "truncated", caplen=0)
    c.add(body, "truncated", caplen=12)
    c.add(b"\x50" + body[1:], "invalid")               # version 5
    c.add(body, "ok", ip=4, l4="udp")
    out.append(c)
    for c in out:
        c.extra["flows_created"] = 1
    return out


def case_lengths():
    """Length fields that lie: IPv4 total length and IHL, TCP data offset,
    UDP length, IPv6 payload length and extension header lengths."""
    c = Capture("lengths")
    pl = udp(40020, 9999, b"L" * 40)
    c.add(eth(0x0800, ipv4(LOCAL, US, 17, pl, tot=1500)), "invalid")   # > frame
    c.add(eth(0x0800, ipv4(LOCAL, US, 17, pl, tot=10)), "invalid")     # < IHL
    c.add(eth(0x0800, ipv4(LOCAL, US, 17, pl, ihl=3)), "invalid")      # IHL < 5
    c.add(eth(0x0800, ipv4(LOCAL, US, 17, pl[:20], ihl=15, tot=40)), "invalid")
    # IHL 15 with room for it, but no room left for the UDP header
    c.add(eth(0x0800, ipv4(LOCAL, US, 17, b"", ihl=15)), "invalid")
    c.add(eth(0x0800, ipv4(LOCAL, US, 17, pl, version=5)), "invalid")
    c.add(eth(0x0800, ipv4(LOCAL, US, 6, tcp(40021, 80, b"x" * 10, off=2))), "invalid")
    long_off = bytearray(tcp(40022, 80, b""))
    long_off[12] = 0xf0                            # 60-byte header in 20 bytes
    c.add(eth(0x0800, ipv4(LOCAL, US, 6, bytes(long_off))), "invalid")
    c.add(eth(0x0800, ipv4(LOCAL, US, 17, udp(40023, 9999, b"u" * 20, ulen=4))), "invalid")
    c.add(eth(0x0800, ipv4(LOCAL, US, 17, udp(40024, 9999, b"u" * 20, ulen=1000))), "invalid")
    # UDP length shorter than the IP payload: fine, the payload is cut to it
    c.add(eth(0x0800, ipv4(LOCAL, US, 17, udp(40025, 9999, b"u" * 100, ulen=12))),
          "ok", ip=4, l4="udp")
    # the Ethernet frame is padded beyond the IPv4 total length: fine
    c.add(udp4(LOCAL, US, 40026, 9999, b"p") + b"\0" * 20, "ok", ip=4, l4="udp")
    v6 = udp(40027, 9999, b"6" * 30)
    c.add(eth(0x86dd, ipv6("fd00::5", "2001:db8:2::10", 17, v6, plen=4000)), "invalid")
    c.add(eth(0x86dd, ipv6("fd00::5", "2001:db8:2::10", 17, v6, version=4)), "invalid")
    c.add(eth(0x0800, ipv6("fd00::5", "2001:db8:2::10", 17, v6)), "invalid")
    dst = lambda nh: bytes([nh, 0]) + b"\0" * 6    # destination options, 8 bytes
    chain8 = b"".join(dst(60) for _ in range(7)) + dst(17)
    c.add(eth(0x86dd, ipv6("fd00::5", "2001:db8:2::10", 60, chain8 + v6)),
          "ok", ip=6, l4="udp")                     # 8 headers: the limit
    chain9 = b"".join(dst(60) for _ in range(8)) + dst(17)
    c.add(eth(0x86dd, ipv6("fd00::5", "2001:db8:2::10", 60, chain9 + v6)), "invalid")
    chain100 = b"".join(dst(60) for _ in range(100)) + dst(17)
    c.add(eth(0x86dd, ipv6("fd00::5", "2001:db8:2::10", 60, chain100 + v6)), "invalid")
    hbh_late = dst(0) + bytes([17, 0]) + b"\0" * 6  # hop-by-hop not first
    c.add(eth(0x86dd, ipv6("fd00::5", "2001:db8:2::10", 60, hbh_late + v6)), "invalid")
    long_ext = bytes([17, 200]) + b"\0" * 6        # says 1608 bytes
    c.add(eth(0x86dd, ipv6("fd00::5", "2001:db8:2::10", 60, long_ext + v6)), "invalid")
    ah_ext = bytes([17, 255]) + b"\0" * 6          # AH: (255 + 2) * 4 bytes
    c.add(eth(0x86dd, ipv6("fd00::5", "2001:db8:2::10", 51, ah_ext + v6)), "invalid")
    c.extra["flows_created"] = 3      # ports 40025, 40026 and the IPv6 one
    return c


def case_nesting():
    """Deep VLAN and MPLS stacks, PPPoE, and mixtures."""
    c = Capture("nesting")
    body = ipv4(LOCAL, US, 17, udp(40030, 9999, b"n" * 16))

    def vlans(n, inner=0x0800, outer=0x8100):
        tags = b""
        for i in range(n):
            nxt = inner if i == n - 1 else 0x8100
            tags += struct.pack("!HH", 100 + i, nxt)
        return eth(outer, tags + body)

    c.add(vlans(1), "ok", ip=4, l4="udp", vlan=True)
    c.add(vlans(2, outer=0x88a8), "ok", ip=4, l4="udp", vlan=True)
    c.add(vlans(8, outer=0x9100), "ok", ip=4, l4="udp", vlan=True)   # the limit
    c.add(vlans(9), "invalid", vlan=True)
    c.add(vlans(1000), "invalid", vlan=True)

    def mpls(n, payload=body):
        labels = b""
        for i in range(n):
            bos = 0x100 if i == n - 1 else 0
            labels += struct.pack("!I", ((16 + i) << 12) | bos | 64)
        return labels + payload

    c.add(eth(0x8847, mpls(1)), "ok", ip=4, l4="udp")
    c.add(eth(0x8847, mpls(16)), "ok", ip=4, l4="udp")               # the limit
    c.add(eth(0x8847, mpls(17)), "invalid")
    c.add(eth(0x8848, mpls(5000)), "invalid")
    c.add(eth(0x8847, mpls(3, b"\0\0\0\0" + body)), "not_ip")        # control word
    c.add(eth(0x8847, mpls(3))[:14 + 8], "truncated")                # stack cut
    # VLAN -> MPLS -> IPv4, VLAN -> PPPoE -> IPv6
    c.add(eth(0x8100, struct.pack("!HH", 7, 0x8847) + mpls(2)),
          "ok", ip=4, l4="udp", vlan=True)
    v6 = ipv6("fd00::5", "2001:db8:2::10", 17, udp(40031, 9999, b"6" * 10))
    pppoe = struct.pack("!BBHHH", 0x11, 0, 0x1234, len(v6) + 2, 0x0057) + v6
    c.add(eth(0x8100, struct.pack("!HH", 8, 0x8864) + pppoe), "ok", ip=6, l4="udp",
          vlan=True)
    bad = struct.pack("!BBHHH", 0x21, 0, 0x1234, len(v6) + 2, 0x0057) + v6
    c.add(eth(0x8864, bad), "invalid")                                # PPPoE version 2
    c.add(eth(0x8864, pppoe[:5]), "truncated")
    # not IP at all, and IP in IP / GRE (counted, not looked into)
    c.add(eth(0x0806, b"\0\1\x08\0\6\4\0\1" + b"\0" * 20), "not_ip")
    c.add(eth(0x0800, ipv4(LOCAL, US, 4, body)), "ok", ip=4, l4="other")
    c.add(eth(0x0800, ipv4(LOCAL, US, 47, b"\0\0\x08\0" + body)), "ok", ip=4, l4="other")
    # VLAN ids 100, 101, 107 (the innermost counts), untagged MPLS, VLAN 7,
    # VLAN 8 (IPv6), IP in IP, GRE
    c.extra["flows_created"] = 8
    return c


def case_fragments(n=20000):
    """A flood of fragments: counted, never reassembled, no flow made."""
    c = Capture("fragments")
    data = b"F" * 64
    for i in range(n):
        off = 1 + (i % 100)                      # offsets 8 .. 800: not first
        c.add(eth(0x0800, ipv4(LOCAL, CN, 17, data, frag=0x2000 | off, ident=i & 0xffff)),
              "fragment", ip=4, dt=10)
    # first fragments with their UDP header: decoded, they make one flow
    for i in range(10):
        c.add(eth(0x0800, ipv4(LOCAL, CN, 17, udp(40040, 9999, data, ulen=1400),
                               frag=0x2000, ident=i)), "ok", ip=4, l4="udp")
    # RFC 1858 tiny first fragment: 4 bytes of TCP header
    c.add(eth(0x0800, ipv4(LOCAL, CN, 6, b"\x9c\x41\x00\x50", frag=0x2000)),
          "fragment", ip=4)
    fr6 = lambda off, m: bytes([17, 0]) + struct.pack("!HI", (off << 3) | m, 77)
    for i in range(1000):
        c.add(eth(0x86dd, ipv6("fd00::5", "2001:db8:3::10", 44, fr6(1 + i % 50, 1) + data)),
              "fragment", ip=6, dt=10)
    c.add(eth(0x86dd, ipv6("fd00::5", "2001:db8:3::10", 44,
                           fr6(0, 1) + udp(40041, 9999, data, ulen=3000))), "ok", ip=6, l4="udp")
    c.extra["flows_created"] = 2
    return c


# --- TLS, DTLS, STUN with lying lengths; hostile names

def tls_hello(sni=b"www.example.com", sni_len=None, list_len=None, ext_len=None,
              hs_len=None, rec_len=None):
    name = b"\0" + struct.pack("!H", len(sni) if sni_len is None else sni_len) + sni
    sn = struct.pack("!H", len(name) if list_len is None else list_len) + name
    ext = struct.pack("!HH", 0, len(sn)) + sn
    exts = struct.pack("!H", len(ext) if ext_len is None else ext_len) + ext
    body = (b"\x03\x03" + b"\x11" * 32 + b"\0" + b"\0\x02\x13\x01" + b"\x01\0" + exts)
    hs = b"\x01" + struct.pack("!I", len(body) if hs_len is None else hs_len)[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs) if rec_len is None else rec_len) + hs


class TcpFlow:
    """A TCP connection: handshake, then segments each way."""

    def __init__(self, cap, src, dst, sport, dport):
        self.c, self.src, self.dst, self.sp, self.dp = cap, src, dst, sport, dport
        self.seq, self.ack = 1000, 5000
        self.frame(0, b"", 0x02)
        self.frame(1, b"", 0x12)
        self.frame(0, b"", 0x10)

    def frame(self, d, payload, flags=0x18):
        if d == 0:
            f = tcp4(self.src, self.dst, self.sp, self.dp, payload, flags, self.seq, self.ack)
            self.seq += len(payload) + (1 if flags & 0x03 else 0)
        else:
            f = tcp4(self.dst, self.src, self.dp, self.sp, payload, flags, self.ack, self.seq)
            self.ack += len(payload) + (1 if flags & 0x03 else 0)
        self.c.add(f, "ok", ip=4, l4="tcp")

    def send(self, payload):
        self.frame(0, payload)
        self.frame(1, b"\x17\x03\x03\x00\x10" + b"\x99" * 16)


def case_records():
    """TLS, DTLS, STUN and TURN messages whose lengths lie."""
    c = Capture("records")
    port = [41000]

    def tls(payload):
        port[0] += 1
        TcpFlow(c, LOCAL, US, port[0], 443).send(payload)

    tls(tls_hello(rec_len=0xffff))               # record longer than allowed
    tls(tls_hello(rec_len=5))                    # record shorter than the hello
    tls(tls_hello(hs_len=0xffffff))              # handshake longer than all
    tls(tls_hello(ext_len=0xfff0))               # extensions past the hello
    tls(tls_hello(list_len=0x4000))              # SNI list past the extension
    tls(tls_hello(sni_len=0xffff))               # SNI past the list
    tls(tls_hello(sni=b""))                      # empty SNI
    tls(tls_hello()[:30])                        # the hello cut short (a split)
    tls(b"\x16\x03\x01\x00")                     # 4 bytes of a record header

    def dgram(dport, payload):
        port[0] += 1
        c.add(udp4(LOCAL, CN, port[0], dport, payload), "ok", ip=4, l4="udp")
        c.add(udp4(CN, LOCAL, dport, port[0], payload), "ok", ip=4, l4="udp")

    dtls_hdr = lambda ln, t=22: bytes([t]) + b"\xfe\xfd" + b"\0\0" + b"\0" * 6 + struct.pack("!H", ln)
    dgram(3478, dtls_hdr(0x4000) + b"\x01" * 20)            # record past the datagram
    dgram(3478, dtls_hdr(0) + b"")                          # empty record
    dgram(3478, b"".join(dtls_hdr(1) + b"\x01" for _ in range(300)))  # 300 tiny records
    dgram(3478, b"\x2c" + b"\0\0" + b"\xff\xff" + b"\0" * 10)  # DTLS 1.3 header, long
    stun_hdr = lambda ln, m=0x0001: struct.pack("!HHI", m, ln, 0x2112a442) + b"\x07" * 12
    dgram(3478, stun_hdr(6) + b"\0" * 6)                    # length not a multiple of 4
    dgram(3478, stun_hdr(8) + struct.pack("!HH", 0x0020, 0xffff) + b"\0" * 4)  # attr too long
    dgram(3478, stun_hdr(12, 0x0006) + struct.pack("!HHBBH", 0x0012, 8, 0, 0x99, 1) + b"\0" * 4)
    dgram(3478, stun_hdr(12, 0x0016) + struct.pack("!HH", 0x0013, 0x0100) + b"\0" * 8)
    dgram(3478, stun_hdr(0xfffc))                           # message past the datagram
    dgram(3478, struct.pack("!HH", 0x4000, 0xffff) + b"\0" * 8)   # ChannelData too long
    dgram(3478, struct.pack("!HH", 0x4001, 0) )             # empty ChannelData
    dgram(8801, b"\x05")                                    # Zoom header cut
    dgram(8801, b"\x05" + b"\0" * 7 + b"\x10" + b"\0" * 5)  # Zoom video without RTP
    dgram(5060, b"INVITE sip:" + b"a" * 2000 + b" SIP/2.0\r\n\r\n")
    dgram(5060, b"SIP/2.0 200 OK\r\n\r\nv=0\r\nm=audio 99999999999999999999 RTP/AVP 0\r\n"
          b"c=IN IP4 999.1.1.1\r\nc=IN IP6 \r\nm=\r\na=crypto:\r\n")
    dgram(5004, b"\x8f\x60" + b"\0" * 10)                   # RTP claiming 15 CSRCs
    dgram(5005, b"\x9f\xc8\xff\xff" + b"\0" * 4)            # RTCP length past the end
    c.extra["flows_created"] = port[0] - 41000
    return c


def dns_name(labels):
    return b"".join(bytes([len(l)]) + l for l in labels) + b"\0"


def dns_response(qid, labels, answer_ip):
    q = dns_name(labels) + struct.pack("!HH", 1, 1)
    a = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + ip4(answer_ip)
    return struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + q + a


def zoom_media(seq, to_server):
    inner = bytes([16]) + b"\0" * 23            # video: RTP at inner offset 24
    rtp = struct.pack("!BBHII", 0x80, 98, seq, seq * 3000, 0x1234abcd) + b"v" * 60
    return bytes([5]) + struct.pack("!H", seq) + b"\0" * 4 + bytes([0 if to_server else 4]) + inner + rtp


def case_names():
    """SNI and DNS names with invalid UTF-8, control characters, quotes,
    NUL bytes and lengths at and past every limit; the flows they name
    must still be judged and their events must be valid JSON."""
    c = Capture("names")
    hostile = [
        b"\xff\xfe\x00\x01mmr\"\\\n\r\t\x7f.zoom.us",       # NUL, controls, quote
        b"zoom\xc3mmr\xa9\xe2\x82.zoom.us",                 # broken UTF-8 sequences
        b"mmr" + b"\xe2\x82\xac" * 120 + b".zoom.us",        # long, multi-byte, cut mid-char
        b"A" * 60 + b"mmr" + b"\x80" * 190 + b".zoom.us",    # 261 bytes: past CF_TLS_SNI_MAX
        b"x" * 3000 + b"mmr.zoom.us",                        # far past every buffer
        b"mmr.zoom.us" + b"\x00" * 40,                       # trailing NULs
        b"\xed\xa0\x80mmr\xf4\x90\x80\x80.zoom.us",          # surrogate, > U+10FFFF
    ]
    port = 42000
    for i, name in enumerate(hostile):
        port += 1
        TcpFlow(c, LOCAL, "203.0.113.%d" % (20 + i), port, 443).send(tls_hello(sni=name))
    # DNS answers with hostile names, then Zoom media to the answered address
    dns = [
        ([b"zoom\x01mmr", b"zo\xffom", b"us"], "203.0.113.60"),
        ([b"mmr\"\\\n", b"zoom", b"us"], "203.0.113.61"),
        ([b"a" * 63, b"b" * 63, b"c" * 63, b"d" * 61], "203.0.113.62"),   # 253: max
        ([b"\xc3\x28mmr", b"zoom", b"us"], "203.0.113.63"),
    ]
    for i, (labels, ip) in enumerate(dns):
        q = struct.pack("!HHHHHH", 0x100 + i, 0x0100, 1, 0, 0, 0) + dns_name(labels) + b"\0\1\0\1"
        c.add(udp4(LOCAL, "10.1.0.1", 43000 + i, 53, q), "ok", ip=4, l4="udp")
        c.add(udp4("10.1.0.1", LOCAL, 53, 43000 + i, dns_response(0x100 + i, labels, ip)),
              "ok", ip=4, l4="udp")
        for s in range(4):
            c.add(udp4(LOCAL, ip, 44000 + i, 8801, zoom_media(s, True)), "ok", ip=4, l4="udp")
            c.add(udp4(ip, LOCAL, 8801, 44000 + i, zoom_media(s, False)), "ok", ip=4, l4="udp")
    c.extra["flows_created"] = len(hostile) + 2 * len(dns)
    c.extra["sni_flows"] = len(hostile)
    c.extra["alerts_min"] = len(hostile)
    return c


def case_broken_file(outdir):
    """A capture whose last record is cut off (a capture still being
    written): counted, not an error."""
    c = Capture("cut-file")
    for i in range(5):
        c.add(udp4(LOCAL, US, 45000, 9999, b"c" * 50), "ok", ip=4, l4="udp")
    c.add(udp4(LOCAL, US, 45000, 9999, b"c" * 50), "ok", ip=4, l4="udp")
    # the last record never reaches the decoder
    for k in ("packets", "ok", "ipv4", "udp"):
        c.expect[k] -= 1
    c.write(outdir, truncate_last=20)
    # main.c says so on stderr ("... truncated ... 1 record(s) ...")
    c.extra["stderr"] = r"truncated.*\b1 record|\b1 truncated record"
    c.extra["flows_created"] = 1
    return c


def case_bad_record(outdir):
    """A record whose caplen is past anything libpcap accepts: an I/O
    error (exit 3) after the packets before it, which are reported."""
    c = Capture("bad-record")
    for i in range(3):
        c.add(udp4(LOCAL, US, 45100, 9999, b"b" * 50), "ok", ip=4, l4="udp")
    path = c.write(outdir)
    with open(path, "ab") as f:
        f.write(struct.pack("<IIII", T0 + 1, 0, 0x7fffffff, 0x7fffffff) + b"\0" * 64)
    c.extra["exit"] = 3
    c.extra["flows_created"] = 1
    return c


def write_flood(outdir, n):
    """n distinct UDP flows, one packet each, raw IPv4, 1 us apart."""
    path = os.path.join(outdir, "flood.pcap")
    tmpl = bytearray(ipv4("10.0.0.0", "198.51.100.1", 17,
                          udp(40000, 9999, b"\x01\x02\x03\x04")))
    rec = bytearray(16 + len(tmpl))
    struct.pack_into("<II", rec, 8, len(tmpl), len(tmpl))
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, LINK_RAW))
        chunk = []
        for i in range(n):
            struct.pack_into("<II", rec, 0, T0 + i // 1000000, i % 1000000)
            rec[16:] = tmpl
            # source 10.x.y.z and port: every packet its own flow
            struct.pack_into("!BBBB", rec, 16 + 12, 10, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff)
            struct.pack_into("!H", rec, 16 + 20, 1024 + (i >> 24))
            chunk.append(bytes(rec))
            if len(chunk) == 65536:
                f.write(b"".join(chunk))
                chunk = []
        f.write(b"".join(chunk))
    counts = dict((k, 0) for k in Capture.COUNTERS)
    counts.update(packets=n, ok=n, ipv4=n, udp=n)
    return counts


def write_ice_flood(outdir, n, name="iceflood"):
    """n distinct UDP flows, each one ICE check (a STUN Binding request
    with its own USERNAME): as many calls, through the call table's cap."""
    path = os.path.join(outdir, name + ".pcap")
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, LINK_RAW))
        chunk = []
        for i in range(n):
            user = b"%07x:%08x" % (i, i)            # 16 bytes, no padding
            stun = (struct.pack("!HHI", 0x0001, 4 + len(user), 0x2112A442) +
                    struct.pack("!III", i, i ^ 0x5a5a5a5a, 7) +
                    struct.pack("!HH", 0x0006, len(user)) + user)
            src = "10.%d.%d.%d" % ((i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff)
            pkt = ipv4(src, "198.51.100.7", 17, udp(40000 + (i >> 24), 3478, stun))
            chunk.append(struct.pack("<IIII", T0 + i // 1000000, i % 1000000,
                                     len(pkt), len(pkt)) + pkt)
            if len(chunk) == 65536:
                f.write(b"".join(chunk))
                chunk = []
        f.write(b"".join(chunk))
    counts = dict((k, 0) for k in Capture.COUNTERS)
    counts.update(packets=n, ok=n, ipv4=n, udp=n)
    return counts


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: mkhostile.py OUTDIR [--flood N]")
    outdir = sys.argv[1]
    flood = 1000000
    if len(sys.argv) == 4 and sys.argv[2] == "--flood":
        flood = int(sys.argv[3])
    os.makedirs(outdir, exist_ok=True)
    expect = {}
    caps = [case_truncated(), case_lengths(), case_nesting(), case_fragments(),
            case_records(), case_names()] + case_truncated_links()
    for c in caps:
        c.write(outdir)
    caps += [case_broken_file(outdir), case_bad_record(outdir)]
    for c in caps:
        expect[c.name] = dict(decode=c.expect, **c.extra)
    expect["flood"] = dict(decode=write_flood(outdir, flood), flows_created=flood)
    expect["flood-small"] = dict(decode=write_flood_small(outdir), flows_created=1000)
    ice = max(flood // 5, 20000)
    expect["iceflood"] = dict(decode=write_ice_flood(outdir, ice), flows_created=ice)
    expect["iceflood-small"] = dict(decode=write_ice_flood(outdir, 1000, "iceflood-small"),
                                    flows_created=1000)
    with open(os.path.join(outdir, "expect.json"), "w") as f:
        json.dump(expect, f, indent=1, sort_keys=True)


def write_flood_small(outdir):
    """The flood's first 1000 flows: the memory baseline."""
    big = os.path.join(outdir, "flood.pcap")
    small = os.path.join(outdir, "flood-small.pcap")
    rec = 16 + 32
    with open(big, "rb") as f, open(small, "wb") as g:
        g.write(f.read(24 + 1000 * rec))
    counts = dict((k, 0) for k in Capture.COUNTERS)
    counts.update(packets=1000, ok=1000, ipv4=1000, udp=1000)
    return counts


if __name__ == "__main__":
    main()
