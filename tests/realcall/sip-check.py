#!/usr/bin/env python3
"""sip-check.py - test-sip.sh's judge of one call: what was on the wire
(tshark's view, files made by test-sip.sh) and what callfence said about
it (its events, one JSON object per line).

Usage: sip-check.py SCENARIO EVENTS SDP UDP HELLOS
  SCENARIO  sdes (SRTP keyed by SDP a=crypto), dtls (SRTP keyed by DTLS,
            SDP a=fingerprint) or plain (RTP)
  EVENTS    callfence -o file: output
  SDP       tshark fields of the SIP messages with SDP, '|'-separated:
            ip.src udp.srcport ip.dst udp.dstport sip.CSeq.method
            sip.Status-Code sdp.connection_info.address sdp.media.port
            sdp.media.proto sdp.session_attr.field sdp.media_attribute.field
  UDP       tshark fields of every UDP datagram: ip.src udp.srcport ip.dst
            udp.dstport
  HELLOS    tshark fields of the DTLS ClientHellos: ip.src udp.srcport
            ip.dst udp.dstport dtls.use_srtp.protection_profile

The flows to expect are not written here: they come from the SDP offer
and answer on the wire (RTP on the m= port, RTCP on the port above:
baresip runs with rtcp_mux off).  Prints "ok   WHAT" or "FAIL WHAT" lines
with what was expected and what callfence said; exit 1 when any failed.
"""
import json
import sys

CALLER = "10.1.0.5"
CALLEE = "203.0.113.10"   # CN in the test geography (tests/geo/country.csv)

results = []


def check(name, cond, detail=""):
    results.append(bool(cond))
    print(("ok   " if cond else "FAIL ") + name)
    if not cond and detail:
        for line in str(detail).splitlines():
            print("  | " + line)


def rows(path, ncols):
    out = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                cols = line.split("|")
                out.append(cols + [""] * (ncols - len(cols)))
    return out


def key(a, ap, b, bp):
    """A UDP 5-tuple without its direction."""
    return tuple(sorted([(a, int(ap)), (b, int(bp))]))


def show(k):
    return "%s:%d <-> %s:%d" % (k[0][0], k[0][1], k[1][0], k[1][1])


def g(e, path):
    for p in path.split("."):
        if not isinstance(e, dict) or p not in e:
            return None
        e = e[p]
    return e


def main():
    scenario, events_path, sdp_path, udp_path, hello_path = sys.argv[1:6]

    # ---- the wire, as tshark reads it ----------------------------------
    sdps = rows(sdp_path, 11)
    offer = [r for r in sdps if r[0] == CALLER and r[4] == "INVITE" and not r[5]]
    answer = [r for r in sdps if r[0] == CALLEE and r[4] == "INVITE" and r[5] == "200"]
    check("wire: the INVITE from %s carries an SDP offer" % CALLER, offer, "SDP rows: %r" % sdps)
    check("wire: the 200 OK from %s carries an SDP answer" % CALLEE, answer, "SDP rows: %r" % sdps)
    if not offer or not answer:
        return
    o, a = offer[0], answer[0]
    check("wire: SIP over UDP 5060 at both ends",
          o[1] == "5060" and o[3] == "5060", "INVITE %s:%s -> %s:%s" % tuple(o[0:4]))
    check("wire: offer and answer put the media on the callers' own addresses",
          o[6] == CALLER and a[6] == CALLEE, "c= %s / %s" % (o[6], a[6]))
    proto = {"sdes": "RTP/SAVP", "dtls": "UDP/TLS/RTP/SAVP", "plain": "RTP/AVP"}[scenario]
    for what, r in (("offer", o), ("answer", a)):
        attrs = set((r[9] + "," + r[10]).split(","))
        check("wire: %s m= protocol is %s (or its F profile)" % (what, proto),
              r[8] in (proto, proto + "F"), "m= protocol %r" % r[8])
        check("wire: %s has a=crypto: %s" % (what, "yes" if scenario == "sdes" else "no"),
              ("crypto" in attrs) == (scenario == "sdes"), "attributes %s" % sorted(attrs))
        check("wire: %s has a=fingerprint: %s" % (what, "yes" if scenario == "dtls" else "no"),
              ("fingerprint" in attrs) == (scenario == "dtls"), "attributes %s" % sorted(attrs))

    sip = key(o[0], o[1], o[2], o[3])
    rtp = key(CALLER, o[7], CALLEE, a[7])
    rtcp = key(CALLER, int(o[7]) + 1, CALLEE, int(a[7]) + 1)

    packets = {}
    for r in rows(udp_path, 4):
        if not all(r[:4]):
            continue   # an ICMP error quoting UDP
        k = key(*r[:4])
        packets.setdefault(k, {}).setdefault(r[0], 0)
        packets[k][r[0]] += 1
    for name, k, least in (("RTP", rtp, 100), ("RTCP", rtcp, 1)):
        seen = packets.get(k, {})
        check("wire: %s both ways on %s (at least %d each way)" % (name, show(k), least),
              seen.get(CALLER, 0) >= least and seen.get(CALLEE, 0) >= least,
              "packets by sender: %r" % seen)
    call_flows = {sip: "SIP", rtp: "RTP", rtcp: "RTCP"}
    others = [show(k) for k in packets if k not in call_flows]
    check("wire: no UDP flows other than SIP, RTP and RTCP", not others, "others: %s" % others)

    hellos = rows(hello_path, 5)
    for name, k in (("RTP", rtp), ("RTCP", rtcp)):
        on = [r for r in hellos if all(r[:4]) and key(*r[:4]) == k]
        if scenario == "dtls":
            check("wire: a DTLS ClientHello offering use_srtp on the %s 5-tuple" % name,
                  any(r[4] for r in on), "ClientHellos: %r" % hellos)
        else:
            check("wire: no DTLS on the %s 5-tuple" % name, not on, "ClientHellos: %r" % on)

    # ---- what callfence said -------------------------------------------
    events = []
    with open(events_path) as f:
        for n, line in enumerate(f, 1):
            try:
                events.append(json.loads(line))
            except ValueError as err:
                check("events: line %d is JSON" % n, False, err)
    flows = {}
    for e in events:
        if g(e, "event.dataset") != "callfence.flow" or g(e, "network.transport") != "udp":
            continue
        k = key(g(e, "source.ip"), g(e, "source.port"), g(e, "destination.ip"), g(e, "destination.port"))
        flows.setdefault(k, []).append(e)

    keyed = {"sdes": "sip", "dtls": "media", "plain": None}[scenario]
    expect = {
        # name: (5-tuple, protocol, roles, evidence tokens, rule)
        "SIP": (sip, "sip",
                {"signaling", "key-exchange"} if keyed == "sip" else {"signaling"},
                ["sip"] + (["sdp-crypto-cleartext"] if keyed == "sip" else []),
                "sip-test-keys" if keyed == "sip" else "sip-test-pass"),
    }
    for name, k, proto_ in (("RTP", rtp, "rtp"), ("RTCP", rtcp, "rtcp")):
        dtls = keyed == "media"
        expect[name] = (k, proto_,
                        {"media", "key-exchange"} if dtls else {"media"},
                        [proto_, "sdp-media"] + (["dtls-handshake", "use-srtp"] if dtls else []),
                        "sip-test-keys" if dtls else "sip-test-media")

    for name, (k, proto_, roles, tokens, rule) in expect.items():
        got = flows.get(k, [])
        check("%s flow %s: exactly one flow event" % (name, show(k)), len(got) == 1,
              "%d events; flows callfence reported: %s" % (len(got), [show(x) for x in flows]))
        if len(got) != 1:
            continue
        e = got[0]
        said = "callfence said: app=%s application=%s protocol=%s roles=%s evidence=%r rule=%s verdict=%s" % (
            g(e, "callfence.app"), g(e, "network.application"), g(e, "network.protocol"), g(e, "callfence.roles"),
            g(e, "callfence.evidence"), g(e, "rule.id"), g(e, "callfence.verdict"))
        check("%s flow: app sip (callfence.app; a protocol is no network.application)" % name,
              g(e, "callfence.app") == "sip" and g(e, "network.application") is None, said)
        check("%s flow: protocol %s" % (name, proto_), g(e, "network.protocol") == proto_, said)
        check("%s flow: roles exactly %s" % (name, sorted(roles)),
              set(g(e, "callfence.roles") or []) == roles, said)
        ev = (g(e, "callfence.evidence") or "").split()
        check("%s flow: evidence has %s" % (name, " ".join(tokens)),
              all(t in ev for t in tokens), said)
        # ECS: source is the end that sent first (for RTP often the callee),
        # callfence.remote_end says which end is the remote one, with the geo
        rem = g(e, "callfence.remote_end")
        check("%s flow: the remote end is %s in CN" % (name, CALLEE),
              rem in ("source", "destination") and g(e, rem + ".ip") == CALLEE and
              g(e, rem + ".geo.country_iso_code") == "CN" and
              g(e, "callfence.jurisdiction.observed") == "CN",
              "remote_end %s; source %s, destination %s" % (
                  rem, g(e, "source"), g(e, "destination")))
        check("%s flow: network.direction says who started it" % name,
              g(e, "network.direction") == ("inbound" if rem == "source" else "outbound"),
              "remote_end %s, direction %s" % (rem, g(e, "network.direction")))
        check("%s flow: rule %s (verdict %s)" % (name, rule, "pass" if rule == "sip-test-pass" else "alert"),
              g(e, "rule.id") == rule and
              g(e, "callfence.verdict") == ("pass" if rule == "sip-test-pass" else "alert"), said)

    # one call: the SIP flow by its Call-ID, RTP and RTCP by the SDP that
    # announced them (and that carried the Call-ID), one callfence.call event
    ids = {}
    for name, (k, _, _, _, _) in expect.items():
        got = flows.get(k, [])
        if len(got) == 1:
            ids[name] = (g(got[0], "callfence.call.id"), g(got[0], "callfence.call.linked_by"))
    got_ids = {i for i, _ in ids.values()}
    check("call: SIP, RTP and RTCP share one callfence.call.id", len(ids) == 3 and
          len(got_ids) == 1 and None not in got_ids, ids)
    check("call: SIP linked by its Call-ID, RTP and RTCP by the SDP",
          ids.get("SIP", (0, 0))[1] == "sip-call-id" and ids.get("RTP", (0, 0))[1] == "sdp"
          and ids.get("RTCP", (0, 0))[1] == "sdp", ids)
    if len(got_ids) == 1 and None not in got_ids:
        cid = next(iter(got_ids))
        calls = [e for e in events if g(e, "event.dataset") == "callfence.call"
                 and g(e, "callfence.call.id") == cid]
        check("call: one callfence.call event", len(calls) == 1, "%d" % len(calls))
        if len(calls) == 1:
            c = calls[0]
            parties = [p.get("ip") for p in g(c, "callfence.call.parties") or []]
            check("call: app sip, 3 flows, the callee in CN its party",
                  g(c, "callfence.call.app") == "sip" and g(c, "callfence.call.flows") == 3 and
                  parties == [CALLEE] and
                  (g(c, "callfence.call.parties")[0].get("geo") or {}).get("country_iso_code") == "CN",
                  json.dumps(g(c, "callfence.call")))
            # sip.rules: keys to CN critical, media only high
            worst, rule = ("high", "sip-test-media") if keyed is None else ("critical", None)
            check("call: its verdict is the worst alert of its flows (%s)" % worst,
                  g(c, "callfence.call.verdict.severity") == worst and
                  (rule is None or g(c, "callfence.call.verdict.rule") == rule) and
                  g(c, "rule.id") == g(c, "callfence.call.verdict.rule"),
                  json.dumps(g(c, "callfence.call.verdict")))

    # the built-in alert for SDES keys in clear SIP: the SIP flow's, only there
    sdes = [e for e in events if g(e, "event.dataset") == "callfence.alert"
            and g(e, "rule.id") == "callfence-sdes-cleartext"]
    sdes_on = set(key(g(e, "source.ip"), g(e, "source.port"), g(e, "destination.ip"),
                      g(e, "destination.port")) for e in sdes)
    want = {sip} if keyed == "sip" else set()
    check("alert callfence-sdes-cleartext: %s" % ("on the SIP flow, once" if want else "none"),
          sdes_on == want and len(sdes) == len(want),
          "raised %d times, on %s" % (len(sdes), [show(x) for x in sdes_on]))


if __name__ == "__main__":
    main()
    print("# %d checks, %d failed" % (len(results), results.count(False)))
    sys.exit(0 if results and all(results) else 1)
