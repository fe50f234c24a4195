#!/usr/bin/env python3
"""check-corpus.py NAME EVENTS.json - summarise callfence's events for one
real capture and check the expectations the issues set for it.

Prints one line per flow (app, roles, verdict, remote end, country) and
the alerts; exits 1 when an expectation fails."""
import json
import sys

EEA = set("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT "
          "RO SE SI SK IS LI NO".split())
LAN_PORTS = {67, 68, 137, 138, 5353, 1900}


def load(path):
    with open(path, encoding="utf-8") as fp:
        return [json.loads(line) for line in fp if line.strip()]


def get(ev, dotted, default=None):
    cur = ev
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return default
        cur = cur[part]
    return cur


def flow_line(ev):
    roles = ",".join(get(ev, "callfence.roles", [])) or "-"
    return "%-10s %-28s %-8s %s:%s -> %s:%s %s %s" % (
        get(ev, "callfence.app", "?"), roles,
        get(ev, "callfence.verdict", "?"),
        get(ev, "source.ip"), get(ev, "source.port", ""),
        get(ev, "destination.ip"), get(ev, "destination.port", ""),
        get(ev, "destination.geo.country_iso_code", "-"),
        get(ev, "destination.domain", ""))


CALL_ROLES = {"key-exchange", "media", "signaling", "relay"}

# What the packets show, per capture: (transport, remote port, remote
# address prefix or None, app, roles that must be there, roles that must
# not[, "any"]).  Every flow matching the first three must satisfy the
# rest ("any": at least one must); at least one flow must match.
EXPECT = {
    # STUN and DTLS (use_srtp) handshakes on 8801, no media packet at all
    # (tshark: STUN, DTLS only): key exchange, not media
    "stun_zoom.pcapng": [("udp", 8801, None, "zoom", {"key-exchange", "signaling"}, {"media"})],
    # negatives: DTLS that keys no call (no use_srtp, no ICE, no media; the
    # certificates name a game relay and a browser proxy), HTTP on the SIP
    # port, a call app's file downloads
    "dtls2.pcap": [("udp", 61457, None, "dtls", set(), CALL_ROLES)],
    "dtls_certificate_fragments.pcap": [
        ("udp", 44443, None, "dtls", set(), CALL_ROLES),
        ("udp", 50001, None, "discord", {"key-exchange"}, set())],
    "http_on_sip_port.pcap": [("tcp", 8888, None, "http", set(), CALL_ROLES)],
    "whatsappfiles.pcap": [("tcp", 443, None, "whatsapp", {"web"}, CALL_ROLES)],
    # the room systems: H.225.0 on 1720, H.245 whose OpenLogicalChannelAck
    # is read, RAS; Skinny and the RTP its StartMediaTransmission named;
    # MGCP; IAX2 (signalling and media in one flow)
    "h323.pcap": [("tcp", 1720, None, "h323", {"signaling"}, set()),
                  ("tcp", 1232, None, "h323", {"signaling"}, set()),
                  ("udp", 1719, None, "h323", {"signaling"}, set())],
    "skinny.pcap": [("tcp", 2000, None, "skinny", {"signaling"}, set()),
                    ("udp", 9399, None, "skinny", {"media"}, set())],
    "mgcp.pcap": [("udp", 2427, None, "mgcp", {"signaling"}, set())],
    "iax.pcap": [("udp", 4569, None, "iax2", {"signaling", "media"}, set())],
    # STUN and TURN over TCP, several messages in one segment
    "stun_tcp_multiple_msgs_same_pkt.pcap": [("tcp", 3479, None, "webrtc", {"relay"}, set())],
    # two interleaved RTP streams a direction; Discord's voice discovery
    # (0x1337cafe keep-alives, IP discovery) names the app
    "discord.pcap": [("udp", 50004, "66.22.196.173", "discord", {"media"}, set(), "any"),
                     ("udp", 50004, "66.22.244.", "discord", set(), CALL_ROLES - {"media"})],
    # media that hides: Telegram's reflectors (relay; media by its pace on
    # the two that carry the call), Agora joins (relay), LINE's RTP after
    # 40 proprietary packets (the sampled look), IMO's encrypted stream,
    # the Snapchat call's SRTCP after a QUIC handshake
    "telegram.pcap": [("udp", 529, "91.108.8.8", "telegram", {"relay", "media"}, set()),
                      ("udp", 537, "91.108.16.3", "telegram", {"relay"}, {"media"})],
    "agora-sd-rtn.pcap": [("udp", 8130, None, "agora", {"relay"}, set())],
    "line.pcap": [("udp", 29070, "147.92.169.90", "line", {"media"}, set(), "any")],
    "imo.pcap": [("udp", 36535, None, "imo", {"media"}, set()),
                 ("udp", 57604, None, "imo", {"media"}, set())],
    "snapchat_call.pcapng": [("udp", 443, "18.184.138.142", "snapchat", {"media"}, set())],
    "stun_google_meet.pcapng": [
        ("udp", 19305, "142.250.82.76", "meet", {"key-exchange", "media"}, set(), "any"),
        ("udp", 19305, "2001:4860:4864:6::81", "meet", {"key-exchange", "media"}, set()),
        ("udp", 3478, "142.250.82.76", "meet", {"media"}, set(), "any")],
    "zoom.pcap": [
        ("udp", 8801, None, "zoom", {"media"}, {"key-exchange"}),
        ("tcp", 443, "109.94.160.99", "zoom", {"key-exchange"}, set()),
        ("tcp", 443, "52.202.62.", "zoom", set(), {"key-exchange", "media", "signaling"})],
    "sip.pcap": [
        ("udp", 5060, None, "sip", {"signaling"}, set()),
        ("udp", 40392, None, "sip", {"media"}, set()),
        ("udp", 40393, None, "sip", {"media"}, set())],
    "teams.pcap": [("udp", 3478, "52.11", "teams", {"relay"}, set())],
}
NEVER_CALL_PORTS = {67, 68, 137, 138, 1900, 5353}


def expect_roles(name, flows):
    errors = []
    for proto, port, prefix, app, must, mustnot, *mode in EXPECT.get(name, []):
        hit = [f for f in flows if get(f, "network.transport") == proto
               and get(f, "destination.port") == port
               and (prefix is None or str(get(f, "destination.ip", "")).startswith(prefix))]
        if not hit:
            errors.append("no %s flow to port %s %s" % (proto, port, prefix or ""))
        bad = []
        for f in hit:
            roles = set(get(f, "callfence.roles", []) or [])
            if get(f, "callfence.app") != app or not must <= roles or roles & mustnot:
                bad.append("want app %s roles %s (not %s): %s" %
                           (app, ",".join(sorted(must)) or "-",
                            ",".join(sorted(mustnot)) or "-", flow_line(f)))
        if not mode or len(bad) == len(hit):
            errors += bad
    for f in flows:
        ports = {get(f, "source.port"), get(f, "destination.port")}
        if ports & NEVER_CALL_PORTS and (get(f, "callfence.roles") or
                                         get(f, "callfence.verdict") not in ("unjudged", None)):
            errors.append("LAN chatter taken for a call: %s" % flow_line(f))
    return errors


# Captures that hold no call at all: no alert may come from them.
NO_CALL = {"dtls2.pcap", "http_on_sip_port.pcap", "whatsappfiles.pcap",
           "bittorrent.pcap", "wireguard.pcap"}


def check(name, events):
    errors = []
    alerts = [e for e in events if get(e, "event.dataset") == "callfence.alert"]
    flows = [e for e in events if get(e, "event.dataset") == "callfence.flow"]
    for a in alerts:
        cc = get(a, "destination.geo.country_iso_code")
        if cc in EEA:
            errors.append("alert for a server inside the EEA: %s" % flow_line(a))
        ports = {get(a, "source.port"), get(a, "destination.port")}
        if ports & LAN_PORTS:
            errors.append("alert for LAN chatter: %s" % flow_line(a))
    if name in NO_CALL:
        errors += ["an alert on a capture with no call: %s" % flow_line(a) for a in alerts]
    errors += expect_roles(name, flows)
    if name == "zoom.pcap":
        zoom_out = [f for f in flows if get(f, "callfence.app") == "zoom"
                    and get(f, "destination.geo.country_iso_code") not in EEA | {None}]
        zoom_alerts = [a for a in alerts if get(a, "callfence.app") == "zoom"]
        if zoom_out and not zoom_alerts:
            errors.append("zoom flows outside the EEA but no zoom alert")
    return alerts, flows, errors


def main():
    name, path = sys.argv[1], sys.argv[2]
    events = load(path)
    alerts, flows, errors = check(name, events)
    print("== %s: %d flow records, %d alerts" % (name, len(flows), len(alerts)))
    for f in flows:
        if get(f, "callfence.verdict") != "unjudged" or get(f, "callfence.roles"):
            print("   flow  " + flow_line(f))
    for a in alerts:
        print("   ALERT %-8s %s  [%s]" % (get(a, "callfence.severity"), flow_line(a),
                                         get(a, "rule.id")))
    for e in errors:
        print("   FAIL  " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
