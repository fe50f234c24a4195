#!/usr/bin/env python3
"""check-rtt.py - callfence's passive round trips against tshark's packet
times, on real captures (issue 19).  Usage:

    check-rtt.py CALLFENCE CAPTURE...

For each capture: callfence --all-flows gives every flow's
callfence.geo.rtt_ms (the remote end's smallest RTT); tshark gives the
frame times of the same exchanges (TCP SYN -> SYN/ACK -> ACK, TLS and DTLS
ClientHello -> first record back, STUN request -> response by transaction
ID), from which the smallest RTT to each end of each flow is worked out
here, independently.  A flow agrees when the two are within 0.1 ms; one
tshark times but callfence does not is "missing"; callfence's RTT may be
larger than tshark's smallest only where callfence dropped an exchange as
ambiguous (a retransmitted request: Karn's rule) - those are listed.
Exit 1 when any flow disagrees the other way (callfence smaller: a
verdict stricter than the packets allow).
"""
import json
import subprocess
import sys

FIELDS = ["frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
          "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
          "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.reset", "tcp.len",
          "tls.handshake.type", "tls.record.content_type",
          "dtls.handshake.type", "dtls.record.content_type",
          "stun.type", "stun.id", "tcp.payload"]


def packets(path):
    out = subprocess.run(["tshark", "-r", path, "-T", "fields", "-E", "separator=\t",
                          "-E", "occurrence=f"] + sum([["-e", f] for f in FIELDS], []),
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        v = dict(zip(FIELDS, line.split("\t")))
        src = v.get("ip.src") or v.get("ipv6.src")
        dst = v.get("ip.dst") or v.get("ipv6.dst")
        if not src:
            continue
        if v.get("tcp.srcport"):
            proto, sp, dp = "tcp", v["tcp.srcport"], v["tcp.dstport"]
        elif v.get("udp.srcport"):
            proto, sp, dp = "udp", v["udp.srcport"], v["udp.dstport"]
        else:
            continue
        v["t"] = float(v["frame.time_epoch"])
        v["a"], v["b"], v["proto"] = (src, sp), (dst, dp), proto
        yield v


def exchanges(path):
    """{(proto, frozenset of ends): {end: smallest rtt in ms}}"""
    pend = {}       # (flow, kind, id) -> (t, sender)
    best = {}
    for v in packets(path):
        flow = (v["proto"], frozenset([v["a"], v["b"]]))
        me, t = v["a"], v["t"]

        def req(kind, ident=""):
            pend[(flow, kind, ident)] = (t, me)

        def ans(kind, ident=""):
            p = pend.get((flow, kind, ident))
            if p and p[1] != me:
                del pend[(flow, kind, ident)]
                d = (t - p[0]) * 1000
                e = best.setdefault(flow, {})
                e[me[0]] = min(e.get(me[0], 1e9), d)
        if v["proto"] == "tcp":
            syn, ack = v.get("tcp.flags.syn") in ("1", "True"), v.get("tcp.flags.ack") in ("1", "True")
            if syn and not ack:
                req("syn")
            elif syn and ack:
                ans("syn")
                req("synack")
            elif ack:
                ans("synack")
            head = v.get("tcp.payload", "").replace(":", "")[:4]
            if v.get("tls.handshake.type") == "1":
                req("hello")
            elif v.get("tls.record.content_type") or head in ("1403", "1503", "1603"):
                # a record tshark left undissected (a segment out of order)
                ans("hello")
        if v.get("dtls.handshake.type") == "1":
            req("dhello")
        elif v.get("dtls.record.content_type"):
            ans("dhello")
        typ, sid = v.get("stun.type"), v.get("stun.id")
        if sid and typ:
            t16 = int(typ, 0)
            cls = (t16 & 0x100) >> 7 | (t16 & 0x10) >> 4
            if cls == 0:
                req("stun", sid)
            elif cls >= 2:
                ans("stun", sid)
    return best


def main():
    cf, caps = sys.argv[1], sys.argv[2:]
    bad = 0
    total = {"agree": 0, "larger": 0, "smaller": 0, "missing": 0}
    for cap in caps:
        ev = subprocess.run([cf, "-q", "--all-flows", "-r", cap], capture_output=True,
                            text=True).stdout
        ts = exchanges(cap)
        for line in ev.splitlines():
            e = json.loads(line)
            if e.get("event", {}).get("dataset") != "callfence.flow":
                continue
            s, d = e.get("source", {}), e.get("destination", {})
            proto = e.get("network", {}).get("transport")
            flow = (proto, frozenset([(s.get("ip"), str(s.get("port"))),
                                      (d.get("ip"), str(d.get("port")))]))
            remote = d if e.get("callfence", {}).get("remote_end") == "destination" else s
            want = ts.get(flow, {}).get(remote.get("ip"))
            got = e.get("callfence", {}).get("geo", {}).get("rtt_ms")
            if want is None and got is None:
                continue
            if got is None:
                kind = "missing"
            elif want is None or got > want + 0.1:
                kind = "larger"
            elif got < want - 0.1:
                kind = "smaller"
            else:
                kind = "agree"
            total[kind] += 1
            if kind != "agree":
                print("%-28s %s %s:%s -> %s:%s remote %s: callfence %s ms, tshark %s ms" %
                      (cap.split("/")[-1], kind, s.get("ip"), s.get("port"), d.get("ip"),
                       d.get("port"), remote.get("ip"), got,
                       "%.3f" % want if want is not None else None))
            bad += kind == "smaller"
    print("check-rtt: %(agree)d agree within 0.1 ms, %(larger)d larger, "
          "%(smaller)d smaller, %(missing)d missing" % total)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
