#!/usr/bin/env python3
"""check-rtt.py - callfence's passive round trips against tshark's packet
times, on real captures (issue 19).  Usage:

    check-rtt.py CALLFENCE CAPTURE...

For each capture: callfence --all-flows gives every flow's
callfence.geo.rtt_ms (the remote end's smallest RTT); tshark gives the
frame times of the same exchanges (TCP SYN -> SYN/ACK -> ACK, TLS and DTLS
ClientHello -> first record back, STUN request -> response by transaction
ID, every message of a TCP segment; SIP request -> response by CSeq;
RTCP sender report -> report block by SSRC and LSR, less DLSR - 1 units),
from which the smallest RTT to each end of each flow is worked out here,
independently.  A request sent again while its first copy awaits an
answer is timed from the first copy (the sound rule: tshark cannot tell
which copy an answer is to either); "retransmitted" counts the flows
where timing from the last copy would have given less.  A flow agrees
when the two are within 0.1 ms; one tshark times but callfence does not
is "missing"; callfence's RTT may be larger than tshark's smallest (an
exchange not timed) - those are listed.  Flows between two home
addresses count like any other (callfence writes their RTT too, with
plausibility unknown).  Exit 1 when any flow disagrees the other way
(callfence smaller: a verdict stricter than the packets allow).
"""
import datetime
import json
import subprocess
import sys

FIELDS = ["frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
          "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
          "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.reset", "tcp.len",
          "tls.handshake.type", "tls.record.content_type",
          "dtls.handshake.type", "dtls.record.content_type",
          "stun.type", "stun.id", "tcp.payload",
          "sip.Method", "sip.Status-Code", "sip.CSeq", "sip.Call-ID",
          "rtcp.pt", "rtcp.senderssrc", "rtcp.timestamp.ntp.msw",
          "rtcp.timestamp.ntp.lsw", "rtcp.ssrc.identifier", "rtcp.ssrc.lsr",
          "rtcp.ssrc.dlsr"]
MULTI = ("stun.type", "stun.id",   # every message of a segment
         "rtcp.pt", "rtcp.ssrc.identifier", "rtcp.ssrc.lsr", "rtcp.ssrc.dlsr")


def packets(path):
    out = subprocess.run(["tshark", "-o", "rtcp.heuristic_rtcp:TRUE",
                          "-r", path, "-T", "fields", "-E", "separator=\t",
                          "-E", "occurrence=a", "-E", "aggregator=|"] +
                         sum([["-e", f] for f in FIELDS], []),
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        v = dict(zip(FIELDS, line.split("\t")))
        for f in FIELDS:
            if f not in MULTI and v.get(f):
                v[f] = v[f].split("|")[0]
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
    """{(proto, frozenset of ends): [(answer time, answering end, rtt in ms)]},
    the flows where a request was sent again"""
    pend = {}       # (flow, kind, id) -> (t, sender)
    best = {}
    retx = set()    # flows where the last copy would have given less
    for v in packets(path):
        flow = (v["proto"], frozenset([v["a"], v["b"]]))
        me, t = v["a"], v["t"]

        def req(kind, ident=""):
            p = pend.get((flow, kind, ident))
            if p and p[1] == me and t - p[0] <= 5:
                pend[(flow, kind, ident)] = (p[0], me, t)   # the first copy's time
            else:
                pend[(flow, kind, ident)] = (t, me, t)

        def ans(kind, ident="", held=0.0, keep=False, hold=5):
            p = pend.get((flow, kind, ident))
            if p and p[1] != me:
                if not keep:
                    del pend[(flow, kind, ident)]
                d = (t - p[0] - held) * 1000
                if t - p[0] > hold or d < 0 or d > 5000:
                    return
                if p[2] != p[0]:
                    retx.add(flow)
                best.setdefault(flow, []).append((t, me[0], d))
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
        for typ, sid in zip((typ or "").split("|"), (sid or "").split("|")):
            if not (typ and sid):
                continue
            t16 = int(typ, 0)
            cls = (t16 & 0x100) >> 7 | (t16 & 0x10) >> 4
            if cls == 0:
                req("stun", sid)
            elif cls >= 2:
                ans("stun", sid)
        # RTCP: an SR's SSRC and NTP middle 32 bits; a report block naming
        # them answers it, less DLSR - 1 units of 1/65536 s (RFC 3550 6.4.1)
        if "200" in v.get("rtcp.pt", "").split("|") and v.get("rtcp.timestamp.ntp.msw"):
            mid = (int(v["rtcp.timestamp.ntp.msw"]) & 0xffff) << 16 | \
                int(v["rtcp.timestamp.ntp.lsw"]) >> 16
            req("rtcp", (int(v["rtcp.senderssrc"], 0), mid))
        for ssrc, lsr, dlsr in zip(*(v.get(f, "").split("|") for f in
                                     ("rtcp.ssrc.identifier", "rtcp.ssrc.lsr",
                                      "rtcp.ssrc.dlsr"))):
            if ssrc and lsr and int(lsr) != 0:
                ans("rtcp", (int(ssrc, 0), int(lsr)),
                    held=max(int(dlsr) - 1, 0) / 65536.0, keep=True, hold=30)
        cseq = v.get("sip.CSeq")
        if cseq and v.get("sip.Method") and v["sip.Method"] != "ACK":
            req("sip", cseq)
        elif cseq and v.get("sip.Status-Code"):
            ans("sip", cseq)
    return best, retx


def stamp(iso):
    """Seconds since the epoch of an event's ISO 8601 UTC time."""
    return datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def main():
    cf, caps = sys.argv[1], sys.argv[2:]
    bad = 0
    total = {"agree": 0, "larger": 0, "smaller": 0, "missing": 0, "retransmitted": 0}
    for cap in caps:
        ev = subprocess.run([cf, "-q", "--all-flows", "-r", cap], capture_output=True,
                            text=True).stdout
        ts, retx = exchanges(cap)
        for line in ev.splitlines():
            e = json.loads(line)
            if e.get("event", {}).get("dataset") != "callfence.flow":
                continue
            s, d = e.get("source", {}), e.get("destination", {})
            proto = e.get("network", {}).get("transport")
            flow = (proto, frozenset([(s.get("ip"), str(s.get("port"))),
                                      (d.get("ip"), str(d.get("port")))]))
            remote = d if e.get("callfence", {}).get("remote_end") == "destination" else s
            # the exchanges answered within this record's time (a 5-tuple
            # may make several flows, one after another)
            t0 = stamp(e.get("event", {}).get("start")) - 0.001
            t1 = stamp(e.get("event", {}).get("end")) + 0.001
            want = min([d for (t, end, d) in ts.get(flow, [])
                        if end == remote.get("ip") and t0 <= t <= t1] or [None],
                       key=lambda x: 1e18 if x is None else x)
            got = e.get("callfence", {}).get("geo", {}).get("rtt_ms")
            if want is None and got is None:
                continue
            if flow in retx:
                total["retransmitted"] += 1
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
          "%(smaller)d smaller, %(missing)d missing; %(retransmitted)d with a "
          "request sent again (timed from its first copy)" % total)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
