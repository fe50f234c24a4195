#!/usr/bin/env python3
"""webrtc-signal.py - the WebRTC test's signalling server (test-webrtc.sh).

Serves webrtc-call.html and relays messages between the two browsers of a
call by polling; each browser reports how its call went, and the test
reads the reports from files.

    webrtc-signal.py --bind ADDR --port PORT --dir DIR --page FILE

    GET  /call.html?...        the page (the query configures it)
    POST /send/ROOM/TO         a message (JSON) for TO (caller, callee)
    GET  /recv/ROOM/ME         ME's waiting messages as a JSON list, then gone
    POST /report/ROOM/ME/WHAT  the page's report: written to DIR/ROOM-ME-WHAT.json

ROOM, ME, TO and WHAT are short words ([a-z0-9]); anything else is refused.
The server stops by itself after --lifetime seconds.
"""

import argparse
import json
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WORD = re.compile(r"^[a-z0-9]{1,16}$")
MAX_BODY = 64 * 1024
MAX_QUEUE = 500


class State:
    def __init__(self, outdir, page):
        self.outdir = outdir
        self.page = page
        self.lock = threading.Lock()
        self.queues = {}


class Handler(BaseHTTPRequestHandler):
    server_version = "cf-webrtc-signal"
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):
        if "/recv/" in self.path:    # the polls: many, and dull
            return
        sys.stderr.write("signal: " + (fmt % args) + "\n")

    def reply(self, code, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def parts(self):
        path = self.path.split("?", 1)[0]
        return [p for p in path.split("/") if p]

    def do_GET(self):
        st = self.server.state
        p = self.parts()
        if p == ["call.html"]:
            with open(st.page, "rb") as f:
                self.reply(200, f.read(), "text/html; charset=utf-8")
        elif p == ["favicon.ico"]:
            self.reply(404, "{}")
        elif len(p) == 3 and p[0] == "recv" and all(WORD.match(x) for x in p[1:]):
            with st.lock:
                msgs = st.queues.pop((p[1], p[2]), [])
            self.reply(200, json.dumps(msgs))
        else:
            self.reply(404, '{"error":"no such thing"}')

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n < 0 or n > MAX_BODY:
            return None
        raw = self.rfile.read(n)
        try:
            return json.loads(raw.decode())
        except ValueError:
            return None

    def do_POST(self):
        st = self.server.state
        p = self.parts()
        msg = self.body()
        if msg is None:
            self.reply(400, '{"error":"bad body"}')
        elif len(p) == 3 and p[0] == "send" and all(WORD.match(x) for x in p[1:]):
            with st.lock:
                q = st.queues.setdefault((p[1], p[2]), [])
                if len(q) >= MAX_QUEUE:
                    self.reply(503, '{"error":"queue full"}')
                    return
                q.append(msg)
            self.reply(200, "{}")
        elif len(p) == 4 and p[0] == "report" and all(WORD.match(x) for x in p[1:]):
            name = os.path.join(st.outdir, "%s-%s-%s.json" % (p[1], p[2], p[3]))
            with open(name + ".tmp", "w") as f:
                json.dump(msg, f)
            os.rename(name + ".tmp", name)
            self.reply(200, "{}")
        else:
            self.reply(404, '{"error":"no such thing"}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bind", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--page", required=True)
    ap.add_argument("--lifetime", type=float, default=300)
    a = ap.parse_args()
    srv = ThreadingHTTPServer((a.bind, a.port), Handler)
    srv.daemon_threads = True
    srv.state = State(a.dir, a.page)
    threading.Timer(a.lifetime, srv.shutdown).start()
    # ready: the test waits for this file
    with open(os.path.join(a.dir, "signal.ready"), "w") as f:
        f.write("%d\n" % os.getpid())
    srv.serve_forever()


if __name__ == "__main__":
    main()
