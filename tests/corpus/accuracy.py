#!/usr/bin/env python3
"""accuracy.py NAME EVENTS.json TSHARK.tsv APPS.conf - one capture's rows of the
accuracy table (docs/accuracy.md): every flow callfence reports (run with
--all-flows), the app, roles and protocol it gives, beside what tshark
decodes in the same flow's packets, and whether the two agree.

TSHARK.tsv holds the fields FIELDS (below) of every packet, tab-separated,
as accuracy.sh asks tshark for them.  tshark knows protocols, not apps or
roles; the roles it "shows" are read off what it decodes:

  key-exchange  a DTLS handshake, ZRTP, or an SDP a=crypto attribute
  media         RTP or RTCP (two packets or more)
  signaling     a STUN Binding (RFC 5389 or classic RFC 3489), SIP
  relay         a TURN method (Allocate .. ChannelBind, Send/Data) or
                ChannelData

Roles callfence gives from the app catalog (TLS to a call app's servers,
Zoom's media port, ...) cannot be seen by tshark; such a difference is
"explained" when the evidence names a catalog line whose roles= give the
role (rules/apps.conf is read for that), or a recogniser tshark lacks
(Zoom's encapsulation, SRTCP, media inside TURN, GTP-U tunnels callfence
does not open).  Rows with a difference nothing explains say
"UNEXPLAINED" (docs/accuracy.md discusses each).

Standard library only.  Prints markdown table rows (no header)."""
import json
import sys

FIELDS = ["frame.protocols", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
          "udp.srcport", "udp.dstport", "tcp.srcport", "tcp.dstport",
          "tls.handshake.extensions_server_name", "stun.type.method",
          "stun.channel", "dtls.handshake.type", "sdp.crypto.tag",
          "dns.qry.name", "quic.version", "gquic.version"]
ROLES = ["key-exchange", "media", "signaling", "relay"]
TURN_METHODS = {"0x0003", "0x0004", "0x0006", "0x0007", "0x0008", "0x0009",
                "0x003", "0x004", "0x006", "0x007", "0x008", "0x009"}
NOISE = ("x509", "pkix", "ocsp", "pkcs", "cms", "ber", "per")
TRANSPORT = {"tcp": 6, "udp": 17, "icmp": 1, "ipv6-icmp": 58}
L4 = {"udp": 17, "tcp": 6, "icmp": 1, "icmpv6": 58}
# the evidence tokens of the recognisers that give each role
WIRE = {"media": {"rtp", "rtcp", "zoom-encap", "iax2-media", "media-pace"},
        "key-exchange": {"dtls-handshake", "zrtp", "sdp-crypto-cleartext"},
        "signaling": {"stun-binding", "sip", "h225", "h245-olc", "ras", "sccp",
                      "mgcp", "iax2", "iax2-media", "bfcp", "sip-tls"},
        "relay": {"turn", "tg-reflector", "agora-join"}}
# tshark's dissectors of the room systems' signalling
ROOMS = ("h225", "h245", "skinny", "mgcp", "iax2")
CATALOG = {}


def load_catalog(path):
    """Catalog line id -> the roles its roles= gives."""
    roles = {}
    with open(path, encoding="utf-8") as fp:
        for line in fp:
            words = line.split("#")[0].split()
            if len(words) < 3:
                continue
            given = [w[6:].split(",") for w in words if w.startswith("roles=")]
            roles[words[0]] = set(given[0]) if given else set()
    return roles


def first(v):
    return v.split(",")[0] if v else ""


def get(ev, dotted, default=None):
    cur = ev
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return default
        cur = cur[part]
    return cur


def key(proto, a, pa, b, pb):
    return (proto, frozenset([(a, str(pa or "")), (b, str(pb or ""))]))


class TsharkFlow:
    def __init__(self):
        self.protos = {}
        self.sni = set()
        self.methods = set()
        self.channel = 0
        self.dtls_hs = 0
        self.crypto = 0
        self.quic = set()
        self.rtp = 0

    def add(self, f):
        layers = f["frame.protocols"].split(":")
        seen_l4 = False
        for p in layers:
            if p in ("udp", "tcp"):
                seen_l4 = True
                continue
            if seen_l4 and not p.startswith(NOISE):
                self.protos[p] = self.protos.get(p, 0) + 1
        if f["tls.handshake.extensions_server_name"]:
            self.sni.add(first(f["tls.handshake.extensions_server_name"]))
        for m in f["stun.type.method"].split(","):
            if m:
                self.methods.add(m)
        self.channel += bool(f["stun.channel"])
        self.dtls_hs += bool(f["dtls.handshake.type"])
        self.crypto += bool(f["sdp.crypto.tag"])
        for v in (f["quic.version"], f["gquic.version"]):
            if v:
                self.quic.add(first(v))

    def roles(self):
        r = set()
        if self.dtls_hs or "zrtp" in self.protos or self.crypto:
            r.add("key-exchange")
        if self.protos.get("rtp", 0) >= 2 or self.protos.get("rtcp", 0) >= 1:
            r.add("media")
        if "sip" in self.protos or "classicstun" in self.protos or \
           any(p in self.protos for p in ROOMS) or \
           any(m in ("0x0001", "0x001") for m in self.methods):
            r.add("signaling")
        if self.channel or self.methods & TURN_METHODS:
            r.add("relay")
        return r

    def shows(self):
        names = [p for p in self.protos if p != "data"] or list(self.protos)
        s = "/".join(sorted(names)) or "-"
        if self.sni:
            s += " sni=" + ",".join(sorted(self.sni))
        if self.methods:
            s += " stun=" + ",".join(sorted(self.methods))
        if self.channel:
            s += " chandata"
        if self.quic:
            s += " quic=" + ",".join(sorted(self.quic))
        return s


def load_tshark(path):
    flows = {}
    with open(path, encoding="utf-8", errors="replace") as fp:
        for line in fp:
            vals = line.rstrip("\n").split("\t")
            if len(vals) < len(FIELDS):
                vals += [""] * (len(FIELDS) - len(vals))
            f = dict(zip(FIELDS, vals))
            src = first(f["ip.src"]) or first(f["ipv6.src"])
            dst = first(f["ip.dst"]) or first(f["ipv6.dst"])
            if not src:
                continue
            # the outermost transport, as callfence's flow has it
            l4 = [L4[p] for p in f["frame.protocols"].split(":") if p in L4]
            proto = l4[0] if l4 else 0
            if proto == 17:
                k = key(17, src, first(f["udp.srcport"]), dst, first(f["udp.dstport"]))
            elif proto == 6:
                k = key(6, src, first(f["tcp.srcport"]), dst, first(f["tcp.dstport"]))
            else:
                k = key(proto, src, "", dst, "")
            flows.setdefault(k, TsharkFlow()).add(f)
    return flows


def wire_why(role, wire, toks, ts):
    """A recogniser saw the role where tshark did not: why, or None."""
    if "zoom-encap" in wire:
        kinds = {"zoom-audio", "zoom-video", "zoom-screen", "zoom-rtcp"} & toks
        if not kinds:
            return ("Zoom server media header (tshark 4.0 has no Zoom dissector); "
                    "inner types not a media kind, media from catalog line zoom-media")
        return "Zoom media encapsulation, %s (tshark 4.0 has no Zoom dissector)" % \
            ",".join(sorted(kinds))
    if role == "media" and "turn" in toks:
        return "RTP inside TURN Send/Data or ChannelData, which tshark leaves undecoded"
    if role == "media" and wire == {"rtcp"} and "rtcp" not in ts.protos:
        return ("SRTCP: RTCP header, encrypted body and SRTCP trailer, which "
                "tshark's RTCP heuristic rejects; callfence saw the SSRC repeat")
    if role == "key-exchange" and "dtls" not in ts.protos:
        return "DTLS handshake inside TURN or a Zoom header"
    if role == "signaling" and "turn" in toks:
        return ("STUN binding relayed inside TURN ChannelData or Send/Data (ICE "
                "through the relay), which tshark leaves undecoded")
    if role == "media" and "iax2-media" in wire:
        return "IAX2 voice frames (mini frames confirmed by call number and timestamp)"
    if role == "media" and "media-pace" in wire:
        return ("a call app's encrypted stream that is not RTP, media by its pace "
                "(no dissector in tshark 4.0)")
    if role == "relay" and "tg-reflector" in wire:
        return "Telegram reflector messages (peer tag, 0xFF run), which tshark does not dissect"
    if role == "relay" and "agora-join" in wire:
        return "Agora SD-RTN join naming an Agora edge server, which tshark does not dissect"
    if role == "signaling" and "sip-tls" in wire:
        return "TLS on the SIP-over-TLS port 5061: SIP's signalling, encrypted"
    return None


def explain(ev, ours, theirs, ts):
    """Why the two differ, when the evidence says; None otherwise."""
    toks = set((get(ev, "callfence.evidence", "") or "").split())
    lines = [t[8:] for t in sorted(toks) if t.startswith("catalog:")]
    why = []
    if get(ev, "network.transport") in ("icmp", "ipv6-icmp") and not ours:
        return ("an ICMP error quoting a STUN/TURN packet: tshark decodes the quoted "
                "packet, callfence counts the ICMP message")
    if "ndpi:GTP_U" in toks and not ours:
        return "GTP-U tunnel: tshark decodes the tunnelled packets, callfence's decoder does not open GTP"
    for role in sorted(ours - theirs):
        wire = toks & WIRE[role]
        given = [i for i in lines if role in CATALOG.get(i, set())]
        if wire:
            w = wire_why(role, wire, toks, ts)
            if w is None:
                return None
            why.append("%s: %s" % (role, w))
        elif given:
            why.append("%s: catalog line %s (roles=), not visible to tshark" %
                       (role, ",".join(given)))
        else:
            return None
    for role in sorted(theirs - ours):
        n = ts.protos.get("rtp", 0) + ts.protos.get("rtcp", 0)
        if role == "key-exchange" and "dtls-no-call-evidence" in toks:
            why.append("key-exchange: a DTLS handshake with no call evidence (no use_srtp, "
                       "ICE, media or call app's server): not a call's keys")
        elif role == "signaling" and "sip" in ts.protos and "ndpi:HTTP" in toks:
            why.append("signaling: tshark decodes TCP 5060 as SIP by its port; the payload "
                       "is HTTP")
        elif role == "media" and n < 4:
            why.append("media: tshark's RTP heuristic took %d packet(s); callfence wants "
                       "an SSRC repeated with the sequence number advancing" % n)
        else:
            return None
    return "; ".join(why)


def row(name, ev, ts):
    ours = set(get(ev, "callfence.roles", []) or []) & set(ROLES)
    allroles = get(ev, "callfence.roles", []) or []
    theirs = ts.roles() if ts else set()
    if ts is None:
        agree, why = "-", "tshark did not decode this flow's packets as IP"
    elif ours == theirs:
        agree, why = "yes", ""
    else:
        why = explain(ev, ours, theirs, ts)
        agree = "explained" if why is not None else "UNEXPLAINED"
        why = why or ""
    flow = "%s %s:%s > %s:%s" % (get(ev, "network.transport", "?"),
                                 get(ev, "source.ip"), get(ev, "source.port", ""),
                                 get(ev, "destination.ip"), get(ev, "destination.port", ""))
    host = get(ev, "destination.domain", "")
    return "| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        name, flow, get(ev, "callfence.app", "-"),
        ",".join(allroles) or "-",
        (get(ev, "network.protocol", "") or "-") + (" " + host if host else ""),
        ts.shows() if ts else "-", ",".join(sorted(theirs)) or "-", agree, why)


# The app each call capture holds, as the corpus README describes it (the
# per-app table); captures of a protocol or of negatives have none.
CAPTURE_APP = {
    "zoom.pcap": "zoom", "stun_zoom.pcapng": "zoom", "teams.pcap": "teams",
    "webex.pcap": "webex", "stun_google_meet.pcapng": "meet",
    "skype-conference-call.pcap": "skype", "whatsapp_voice_and_message.pcap": "whatsapp",
    "wa_video.pcap": "whatsapp", "sip.pcap": "sip", "discord.pcap": "discord",
    "line.pcap": "line", "viber.pcap": "viber", "telegram.pcap": "telegram",
    "h323.pcap": "h323", "skinny.pcap": "skinny", "snapchat_call.pcapng": "snapchat",
    "imo.pcap": "imo", "agora-sd-rtn.pcap": "agora", "mgcp.pcap": "mgcp",
    "iax.pcap": "iax2", "KakaoTalk_talk.pcap": "kakaotalk", "bfcp.pcapng": "bfcp",
}
CALL_ROLES = ("key-exchange", "media", "signaling", "relay")


def truth_roles(ours, theirs, agree):
    """What the flow carries: tshark's decoding, or callfence's roles where
    the script explained the difference (tshark cannot see them, or took
    for a role what is not one)."""
    return set(ours) if agree in ("yes", "explained") else set(theirs)


def tables(stats_path):
    """Per-role and per-app recall and precision over every row written."""
    per_role = {r: [0, 0, 0] for r in CALL_ROLES}      # tp, fp, fn
    apps = {}
    with open(stats_path, encoding="utf-8") as fp:
        rows = [json.loads(x) for x in fp if x.strip()]
    for r in rows:
        ours, truth = set(r["ours"]), set(r["truth"])
        for role in CALL_ROLES:
            if role in ours and role in truth:
                per_role[role][0] += 1
            elif role in ours:
                per_role[role][1] += 1
            elif role in truth:
                per_role[role][2] += 1
        app = CAPTURE_APP.get(r["capture"])
        if app is None or not truth & set(CALL_ROLES):
            continue
        a = apps.setdefault(app, [0, 0, 0])
        a[0] += 1
        a[1] += bool(ours & set(CALL_ROLES))
        a[2] += r["app"] == app

    def pct(n, d):
        return "%.0f%%" % (100.0 * n / d) if d else "-"
    print("### Per role\n")
    print("| role | flows that carry it | found | recall | said and wrong | precision |")
    print("|---|---|---|---|---|---|")
    for role in CALL_ROLES:
        tp, fp, fn = per_role[role]
        print("| %s | %d | %d | %s | %d | %s |" % (role, tp + fn, tp, pct(tp, tp + fn), fp,
                                                 pct(tp, tp + fp)))
    calls = [r for r in rows if set(r["truth"]) & set(CALL_ROLES)]
    found = [r for r in calls if set(r["ours"]) & set(CALL_ROLES)]
    print("\nCall flows (any of the four roles): %d, found %d (%s); flows given a call "
          "role that carry none: %d.\n" % (
              len(calls), len(found), pct(len(found), len(calls)),
              sum(1 for r in rows if set(r["ours"]) & set(CALL_ROLES) and
                  not set(r["truth"]) & set(CALL_ROLES))))
    print("### Per app\n")
    print("| app (capture's) | call flows | found | recall | named that app | app recall |")
    print("|---|---|---|---|---|---|")
    for app in sorted(apps):
        n, f, named = apps[app]
        print("| %s | %d | %d | %s | %d | %s |" % (app, n, f, pct(f, n), named, pct(named, n)))
    return 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--tables":
        return tables(sys.argv[2])
    name, events_path, tshark_path, catalog_path = sys.argv[1:5]
    stats = open(sys.argv[5], "a", encoding="utf-8") if len(sys.argv) > 5 else None
    CATALOG.update(load_catalog(catalog_path))
    flows = load_tshark(tshark_path)
    counts = {"yes": 0, "explained": 0, "UNEXPLAINED": 0, "-": 0}
    with open(events_path, encoding="utf-8") as fp:
        for line in fp:
            if not line.strip():
                continue
            ev = json.loads(line)
            if get(ev, "event.dataset") != "callfence.flow":
                continue
            proto = TRANSPORT.get(get(ev, "network.transport"), 0)
            k = key(proto, get(ev, "source.ip"), get(ev, "source.port", ""),
                    get(ev, "destination.ip"), get(ev, "destination.port", ""))
            r = row(name, ev, flows.get(k))
            agree = r.split(" | ")[7]
            counts[agree] += 1
            print(r)
            if stats is not None:
                ts = flows.get(k)
                ours = set(get(ev, "callfence.roles", []) or []) & set(ROLES)
                theirs = ts.roles() if ts else set()
                stats.write(json.dumps({
                    "capture": name, "app": get(ev, "callfence.app", ""),
                    "ours": sorted(ours),
                    "truth": sorted(truth_roles(ours, theirs, agree))}) + "\n")
    sys.stderr.write("%s: %d agree, %d explained, %d unexplained, %d not in tshark\n" %
                     (name, counts["yes"], counts["explained"], counts["UNEXPLAINED"], counts["-"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
