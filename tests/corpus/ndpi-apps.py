#!/usr/bin/env python3
"""ndpi-apps.py - app accuracy beside a current nDPI release, on nDPI's own
test captures (validation only: never committed).

    tests/corpus/ndpi-apps.py DIR [-v]

DIR holds nDPI's test captures (tests/cfgs/default/pcap in nDPI's
repository) with its expected results beside them as CAPTURE.out
(tests/cfgs/default/result).  For every call capture named below, every
UDP flow (or STUN/RTP/DTLS flow) that the .out file gives a call app or a
call protocol is a call flow of the capture's app; callfence's
callfence.app for the same 5-tuple (--all-flows, the shipped catalog and
geography) is right when it is that app.  nDPI's DNS.<App> lookups are
counted as it counts them (callfence names a DNS flow "dns": a query about
Zoom is no Zoom traffic), and reported apart with -v.  Environment:
CALLFENCE (default src/callfence), CALLFENCE_DATADIR (default: the tree)."""
import json, re, subprocess, sys, os, collections
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CF = os.environ.get("CALLFENCE", os.path.join(TOP, "src", "callfence"))
DATA = os.environ.get("CALLFENCE_DATADIR", TOP)
if len(sys.argv) < 2 or not os.path.isdir(sys.argv[1]):
    sys.exit("usage: ndpi-apps.py DIR [-v]")
D = sys.argv[1]
CAPS = {
 "signal.pcap": ("signal", "Signal"), "stun_signal.pcapng": ("signal", "Signal"),
 "telegram.pcap": ("telegram", "Telegram"), "telegram_videocall.pcapng": ("telegram", "Telegram"),
 "zoom.pcap": ("zoom", "Zoom"), "zoom2.pcap": ("zoom", "Zoom"), "zoom_p2p.pcapng": ("zoom", "Zoom"),
 "stun_zoom.pcapng": ("zoom", "Zoom"),
 "whatsapp_login_call.pcap": ("whatsapp", "WhatsApp"), "whatsapp_voice_and_message.pcap": ("whatsapp", "WhatsApp"),
 "stun_wa_call.pcapng": ("whatsapp", "WhatsApp"),
 "discord.pcap": ("discord", "Discord"), "discord_mid_flow.pcap": ("discord", "Discord"),
 "google_meet.pcapng": ("meet", "GoogleMeet|GoogleCall|Meet"), "stun_google_meet.pcapng": ("meet", "GoogleMeet|GoogleCall|Meet"),
 "teams.pcap": ("teams", "Teams"), "stun_msteams_unidir.pcapng": ("teams", "Teams"),
 "skype-conference-call.pcap": ("skype", "Skype"),
 "line.pcap": ("line", "LINE"), "viber.pcap": ("viber", "Viber"),
 "snapchat_call.pcapng": ("snapchat", "Snapchat"), "snapchat_call_v1.pcapng": ("snapchat", "Snapchat"),
 "imo.pcap": ("imo", "IMO"), "KakaoTalk_talk.pcap": ("kakaotalk", "KakaoTalk"),
 "webex.pcap": ("webex", "Webex"), "facebook.pcap": ("messenger", "Messenger"),
}
CALLISH = re.compile(r"STUN|RTP|RTCP|SRTP|DTLS|Call", re.I)
NOT = re.compile(r"DNS|QUIC|NTP|MDNS|SSDP|NetBIOS|DHCP|LLMNR|SNMP|TLS", re.I)
line_re = re.compile(r"^\s*\d+\s+(UDP|TCP) (\S+):(\d+) <?-> (\S+):(\d+) \[proto: [^/]*/([^\]]*)\]")
def key(a, pa, b, pb):
    return tuple(sorted([(a, int(pa)), (b, int(pb))]))
tot = collections.Counter(); ok = collections.Counter(); found = collections.Counter()
dns_tot = dns_ok = 0
verbose = "-v" in sys.argv
for cap, (app, pat) in sorted(CAPS.items()):
    p = os.path.join(D, cap)
    if not os.path.exists(p) or not os.path.exists(p + ".out"):
        continue
    want = {}
    for ln in open(p + ".out", encoding="utf-8", errors="replace"):
        m = line_re.match(ln)
        if not m: continue
        tr, a, pa, b, pb, proto = m.groups()
        if tr != "UDP" and not CALLISH.search(proto): continue
        if NOT.search(proto) and not re.search(pat, proto): continue
        if not (re.search(pat, proto) or CALLISH.search(proto)): continue
        want[key(a.strip("[]"), pa, b.strip("[]"), pb)] = proto
    env = dict(os.environ, CALLFENCE_DATADIR=DATA)
    out = subprocess.run([CF, "-q", "--all-flows", "-R", os.path.join(DATA, "rules", "eu-gdpr.rules"), "-r", p],
                         capture_output=True, text=True, env=env).stdout
    got = {}
    for l in out.splitlines():
        e = json.loads(l)
        if e.get("event", {}).get("kind") not in ("event",) and "flow" not in e.get("event", {}).get("category", []) and e.get("event",{}).get("action") != "flow":
            pass
        s, d = e.get("source", {}), e.get("destination", {})
        if "ip" not in s or "port" not in s: continue
        k = key(s["ip"], s["port"], d["ip"], d["port"])
        cfa = e.get("callfence", {})
        if "app" in cfa and k not in got or cfa.get("roles"):
            got[k] = (cfa.get("app", "-"), ",".join(cfa.get("roles", []) or []))
    for k, proto in want.items():
        if proto.startswith("DNS."):
            dns_tot += 1
            dns_ok += bool(got.get(k) and got[k][0] == app)
        tot[app] += 1
        g = got.get(k)
        if g: found[app] += 1
        if g and g[0] == app: ok[app] += 1
        elif verbose: print("MISS", cap, k, "ndpi:", proto, "cf:", g)
T = sum(tot.values()); O = sum(ok.values())
for a in sorted(tot): print("%-10s %4d flows, cf saw %4d, app right %4d (%.0f%%)" % (a, tot[a], found[a], ok[a], 100.0*ok[a]/tot[a]))
if T:
    print("ALL %d flows, app right %d (%.1f%%)" % (T, O, 100.0*O/T))
    if T > dns_tot:
        print("without nDPI's DNS.<App> lookups: %d flows, app right %d (%.1f%%)" % (
            T - dns_tot, O - dns_ok, 100.0*(O - dns_ok)/(T - dns_tot)))
