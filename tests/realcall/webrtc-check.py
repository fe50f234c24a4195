#!/usr/bin/env python3
"""webrtc-check.py - what one WebRTC test call must show (test-webrtc.sh).

    webrtc-check.py --dir DIR --room ROOM --kind direct|udp|tcp|tls --turn IP

Reads DIR/ROOM-{caller,callee}-done.json (what each browser said of its
call: the selected candidate pair, DTLS-SRTP, RTP counters), DIR/ROOM.pcap
(through tshark) and DIR/ROOM.json (callfence's events), and prints one
"ok   ..." or "FAIL ..." line per check.

The roles each flow must have come from two sources, neither of them
callfence:
  - what tshark decodes on the flow: a STUN Binding is signaling; a TURN
    method (Allocate, Refresh, Send, Data, CreatePermission, ChannelBind)
    or ChannelData is relay; a DTLS handshake offering use_srtp is
    key-exchange; RTP is media;
  - what the browsers say of the flow that carried the call: ICE checks
    succeeded on it (STUN Binding: signaling), DTLS-SRTP keyed it
    (key-exchange), RTP went both ways (media).  The relayed call's flow is
    the one whose Allocate gave the relayed address the browser used.
TURN over TLS hides all of that; a TLS flow to the TURN server's port
5349 (IANA "turns") is relay.

Exit 0 when every check passed, 1 otherwise, 2 when the inputs are
missing.
"""

import argparse
import csv
import ipaddress
import json
import os
import subprocess
import sys

TURN_METHODS = {0x003, 0x004, 0x006, 0x007, 0x008, 0x009, 0x00A, 0x00B, 0x00C}
BINDING = 0x001
USE_SRTP = 14            # RFC 5764 extension
XOR_RELAYED = 0x0016
XOR_ADDR_TYPES = {0x0012, 0x0016, 0x0020}   # XOR-PEER, -RELAYED, -MAPPED
ALLOCATE_OK = 0x0103

results = []


def ok(name):
    results.append(True)
    print("ok   " + name)


def fail(name, why=""):
    results.append(False)
    print("FAIL " + name)
    for line in why.splitlines():
        print("  | " + line)


def check(name, cond, why=""):
    if cond:
        ok(name)
    else:
        fail(name, why)


def ints(field):
    """tshark's comma-separated list of numbers (hex or decimal)."""
    out = []
    for x in field.split(","):
        x = x.strip()
        if x:
            out.append(int(x, 0))
    return out


def flow_key(transport, a, b):
    return (transport, frozenset([a, b]))


def show_key(k):
    ends = sorted(k[1])
    return "%s %s:%d <-> %s:%d" % (k[0], ends[0][0], ends[0][1], ends[1][0], ends[1][1])


class Seen:
    """What tshark decoded on one flow."""

    def __init__(self):
        self.packets = 0
        self.binding = False
        self.turn = False
        self.use_srtp = False
        self.rtp = False
        self.tls = False
        self.alpn = set()      # what TLS ClientHellos offered
        self.sni = set()
        self.relayed = set()   # (ip, port) of XOR-RELAYED-ADDRESS in Allocate answers


def tshark_flows(pcap):
    fields = ["ip.src", "ip.dst", "udp.srcport", "udp.dstport", "tcp.srcport",
              "tcp.dstport", "stun.type", "stun.channel", "stun.att.type",
              "stun.att.port-xord", "stun.att.ipv4-xord", "dtls.handshake.extension.type",
              "rtp.ssrc", "tls.handshake.type", "tls.handshake.extensions_alpn_str",
              "tls.handshake.extensions_server_name"]
    cmd = ["tshark", "-r", pcap, "-n", "--enable-heuristic", "rtp_udp",
           "-Y", "(udp or tcp) and not icmp", "-T", "fields", "-E", "occurrence=a"]
    for f in fields:
        cmd += ["-e", f]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=120)
    if p.returncode != 0:
        raise SystemExit("tshark failed: " + p.stderr)
    flows = {}
    for line in p.stdout.splitlines():
        v = line.split("\t")
        v += [""] * (len(fields) - len(v))
        d = dict(zip(fields, v))
        if d["udp.srcport"]:
            tr, sp, dp = "udp", int(d["udp.srcport"]), int(d["udp.dstport"])
        else:
            tr, sp, dp = "tcp", int(d["tcp.srcport"]), int(d["tcp.dstport"])
        k = flow_key(tr, (d["ip.src"], sp), (d["ip.dst"], dp))
        s = flows.setdefault(k, Seen())
        s.packets += 1
        types = ints(d["stun.type"])
        for t in types:
            method = (t & 0x000F) | ((t & 0x00E0) >> 1) | ((t & 0x3E00) >> 2)
            if method == BINDING:
                s.binding = True
            if method in TURN_METHODS:
                s.turn = True
        if d["stun.channel"]:
            s.turn = True
        if ALLOCATE_OK in types:
            # XOR'd address attributes in order; the relayed one is ours
            atypes = [t for t in ints(d["stun.att.type"]) if t in XOR_ADDR_TYPES]
            ports = [int(x, 16) ^ 0x2112 for x in d["stun.att.port-xord"].split(",") if x]
            addrs = [x for x in d["stun.att.ipv4-xord"].split(",") if x]
            for t, port, addr in zip(atypes, ports, addrs):
                if t == XOR_RELAYED:
                    a = int(addr, 16) ^ 0x2112A442
                    ip = ".".join(str((a >> sh) & 255) for sh in (24, 16, 8, 0))
                    s.relayed.add((ip, port))
        if USE_SRTP in ints(d["dtls.handshake.extension.type"]):
            s.use_srtp = True
        if d["rtp.ssrc"]:
            s.rtp = True
        if d["tls.handshake.type"]:
            s.tls = True
            s.alpn |= set(x for x in d["tls.handshake.extensions_alpn_str"].split(",") if x)
            s.sni |= set(x for x in d["tls.handshake.extensions_server_name"].split(",") if x)
    return flows


def visible_roles(s):
    roles = set()
    if s.binding:
        roles.add("signaling")
    if s.turn:
        roles.add("relay")
    if s.use_srtp:
        roles.add("key-exchange")
    if s.rtp:
        roles.add("media")
    return roles


def country_of(csv_path, ip):
    """The country the test geography's CSV gives IP (network,country,...)."""
    addr = ipaddress.ip_address(ip)
    with open(csv_path) as f:
        for row in csv.reader(f):
            if not row or row[0] == "network":
                continue
            if addr in ipaddress.ip_network(row[0]):
                return row[1]
    return None


def load(path):
    with open(path) as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--room", required=True)
    ap.add_argument("--kind", required=True, choices=["direct", "udp", "tcp", "tls"])
    ap.add_argument("--turn", required=True)
    ap.add_argument("--geo-csv", help="the test geography (tests/geo/country.csv)")
    a = ap.parse_args()
    room, kind = a.room, a.kind
    base = os.path.join(a.dir, room)

    try:
        rep = {w: load("%s-%s-done.json" % (base, w)) for w in ("caller", "callee")}
        events = [json.loads(line) for line in open(base + ".json") if line.strip()]
    except (OSError, ValueError) as e:
        print("FAIL %s: inputs: %s" % (room, e))
        return 2
    ips = {"caller": "10.1.0.5", "callee": "10.2.0.5"}

    # ---- what the browsers say ---------------------------------------------
    for w in ("caller", "callee"):
        r = rep[w]
        loc = r.get("local") or {}
        pair = r.get("pair") or {}
        # the selected pair succeeded; a pair in use is reported
        # "in-progress" while a consent check (RFC 7675) is out on it, so
        # that state counts too once the pair carried bytes both ways
        check("%s: %s: the selected candidate pair carried the call" % (room, w),
              pair.get("state") == "succeeded" or
              (pair.get("state") == "in-progress" and
               (pair.get("bytesSent") or 0) > 0 and (pair.get("bytesReceived") or 0) > 0),
              json.dumps(pair))
        want = "host" if kind == "direct" else "relay"
        check("%s: %s: local candidate is %s%s" % (
                  room, w, want, "" if kind == "direct" else " over " + kind),
              loc.get("candidateType") == want and loc.get("address") ==
              (ips[w] if kind == "direct" else a.turn) and
              (kind == "direct" or loc.get("relayProtocol") == kind),
              json.dumps(loc))
        tr = r.get("transport") or {}
        check("%s: %s: DTLS-SRTP keyed the call (%s)" % (room, w, tr.get("srtpCipher")),
              tr.get("dtlsState") == "connected" and bool(tr.get("srtpCipher")),
              json.dumps(tr))
        for d in ("inbound", "outbound"):
            kinds = {x["kind"]: x.get("packets") or 0 for x in r.get(d, [])}
            check("%s: %s: RTP %s, audio and video (%s)" % (room, w, d, kinds),
                  kinds.get("audio", 0) > 50 and kinds.get("video", 0) > 50,
                  json.dumps(r.get(d)))

    # ---- the flows: tshark's against callfence's -----------------------------
    seen = tshark_flows(base + ".pcap")
    cf = {}
    for e in events:
        if e.get("event", {}).get("dataset") != "callfence.flow":
            continue
        tr = e.get("network", {}).get("transport")
        if tr not in ("udp", "tcp"):
            continue    # ICMP errors after hanging up, ARP: not the call's
        src, dst = e.get("source", {}), e.get("destination", {})
        k = flow_key(tr, (src.get("ip"), src.get("port")), (dst.get("ip"), dst.get("port")))
        if k in cf:
            fail("%s: one flow event for %s" % (room, show_key(k)))
        cf[k] = e

    for k in sorted(set(cf) - set(seen), key=show_key):
        fail("%s: callfence reports a flow tshark does not see: %s" % (room, show_key(k)))
    missing = sorted(set(seen) - set(cf), key=show_key)
    check("%s: every flow of the capture (%d) has a flow event" % (room, len(seen)),
          not missing, "\n".join("missing: " + show_key(k) for k in missing))

    # which flow carried each end's call
    call_flow = {}
    for w in ("caller", "callee"):
        loc, rem = rep[w].get("local") or {}, rep[w].get("remote") or {}
        if kind == "direct":
            k = flow_key("udp", (loc.get("address"), loc.get("port")),
                         (rem.get("address"), rem.get("port")))
            found = [k] if k in seen else []
        elif kind == "tls":
            found = []     # inside TLS: nobody on the path can tell
        else:
            relayed = (loc.get("address"), loc.get("port"))
            found = [k for k, s in seen.items() if relayed in s.relayed]
        if kind != "tls":
            check("%s: %s: the call's flow is in the capture" % (room, w), len(found) == 1,
                  "flows whose Allocate gave %s:%s: %s" % (
                      loc.get("address"), loc.get("port"), [show_key(k) for k in found]))
        for k in found:
            call_flow[k] = w

    per_end = {w: 0 for w in ips}
    for k in sorted(seen, key=show_key):
        s = seen[k]
        ends = dict(k[1])
        for w, ip in ips.items():
            if ip in ends:
                per_end[w] += 1
        port = max(p for _, p in k[1] if p in (3478, 5349)) if kind != "direct" and any(
            p in (3478, 5349) for _, p in k[1]) else None
        want = visible_roles(s)
        why = ["tshark: %d packets; STUN Binding %s, TURN %s, DTLS use_srtp %s, RTP %s, TLS %s" % (
            s.packets, s.binding, s.turn, s.use_srtp, s.rtp, s.tls)]
        if s.tls:
            why.append("tshark: TLS ClientHello ALPN %s, SNI %s" % (
                ",".join(sorted(s.alpn)) or "none", ",".join(sorted(s.sni)) or "none"))
        if k in call_flow:
            want |= {"signaling", "key-exchange", "media"}
            why.append("the %s's call went over this flow (ICE checks, DTLS-SRTP, RTP)" %
                       call_flow[k])
        if kind == "tls" and s.tls and port == 5349:
            want.add("relay")
            why.append("TLS to the TURN server's port 5349 (turns)")
        e = cf.get(k)
        if e is None:
            continue    # counted as missing above
        c = e.get("callfence", {})
        got = set(c.get("roles") or [])
        what = "%s: %s roles %s" % (room, show_key(k), ",".join(sorted(want)) or "none")
        why.append("callfence: roles %s, app %s, protocol %s, evidence %r, verdict %s" % (
            ",".join(sorted(got)) or "none", e.get("network", {}).get("application"),
            e.get("network", {}).get("protocol"), c.get("evidence"), c.get("verdict")))
        check(what, got == want, "\n".join(why))
        if kind != "tls":
            check("%s: %s app webrtc" % (room, show_key(k)),
                  e.get("network", {}).get("application") == "webrtc", "\n".join(why))
        if kind != "direct" and port is not None:
            dst = e.get("destination", {})
            check("%s: %s destination is the TURN server %s:%d" % (room, show_key(k), a.turn, port),
                  dst.get("ip") == a.turn and dst.get("port") == port,
                  json.dumps(e.get("source")) + " -> " + json.dumps(dst))
        if kind != "direct" and port is not None and a.geo_csv:
            cc = country_of(a.geo_csv, a.turn)
            got_cc = e.get("destination", {}).get("geo", {}).get("country_iso_code")
            check("%s: %s the TURN server located in %s" % (room, show_key(k), cc),
                  cc is not None and got_cc == cc, "callfence: %s" % got_cc)
        if k in call_flow and kind in ("udp", "tcp"):
            peer = (rep[call_flow[k]].get("remote") or {})
            got_peer = c.get("relay", {}).get("peer", {})
            check("%s: %s relay peer is the other end's relayed address %s:%s" % (
                      room, show_key(k), peer.get("address"), peer.get("port")),
                  got_peer.get("ip") == peer.get("address") and
                  got_peer.get("port") == peer.get("port"), json.dumps(got_peer))
    for w in ips:
        check("%s: the %s's flows are in the capture (%d)" % (room, w, per_end[w]),
              per_end[w] > 0)
    check_call(room, kind, call_flow, cf, events, ips, a.turn)
    return 0 if all(results) else 1


def check_call(room, kind, call_flow, cf, events, ips, turn):
    """One call: the flows the browsers' call went over share one
    callfence.call.id, linked by the ICE checks (visible on UDP: directly,
    or inside TURN Send/Data indications and ChannelData), and one
    callfence.call event sums them up with both browsers' ends among its
    parties.  Over TCP and TLS the checks are inside a stream callfence
    does not read for links: nothing is claimed there."""
    if kind not in ("direct", "udp"):
        return
    ids = {}
    for k in call_flow:
        c = (cf.get(k) or {}).get("callfence", {}).get("call") or {}
        ids[show_key(k)] = (c.get("id"), c.get("linked_by"))
    got = {i for i, _ in ids.values()}
    check("%s: the call's flows (%d) have one callfence.call.id" % (room, len(ids)),
          len(ids) >= 1 and len(got) == 1 and None not in got, json.dumps(ids))
    check("%s: linked by their ICE checks" % room,
          all(by == "ice-username" for _, by in ids.values()), json.dumps(ids))
    if len(got) != 1 or None in got:
        return
    cid = got.pop()
    calls = [e for e in events if e.get("event", {}).get("dataset") == "callfence.call"
             and e.get("callfence", {}).get("call", {}).get("id") == cid]
    check("%s: one callfence.call event for %s" % (room, cid), len(calls) == 1,
          "%d events" % len(calls))
    if len(calls) != 1:
        return
    call = calls[0]["callfence"]["call"]
    parties = {p.get("ip") for p in call.get("parties", [])}
    parties.add(calls[0].get("source", {}).get("ip"))
    want = {turn} if kind == "udp" else set(ips.values())
    check("%s: the call's parties %s include %s" % (room, sorted(parties), sorted(want)),
          want <= parties, json.dumps(call.get("parties")))
    check("%s: the call counts its flows (%d >= %d) and its media" % (
              room, call.get("flows", 0), len(call_flow)),
          call.get("flows", 0) >= len(call_flow) and
          call.get("roles", {}).get("media", {}).get("packets", 0) > 100,
          json.dumps(call.get("roles")))
    check("%s: the call's app is webrtc" % room, call.get("app") == "webrtc",
          call.get("app"))


if __name__ == "__main__":
    sys.exit(main())
