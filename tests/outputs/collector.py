#!/usr/bin/env python3
"""collector.py - a stand-in SIEM collector for callfence's output tests.

  collector.py tcp      --ready FILE --out FILE [--rcvbuf N]
                        [--stop-after K --pid-file FILE --down SECONDS]
  collector.py unix     --path SOCKET --ready FILE --out FILE
  collector.py unixgram --path SOCKET --ready FILE --out FILE

Takes NDJSON (one event a line; unixgram: one event a datagram) and
appends each complete line to --out as it arrives.  tcp listens on
127.0.0.1, on a free port it writes to --ready; unix and unixgram write
"ok" to --ready once bound.  --rcvbuf makes the receive buffer small, so
the sender can only be as far ahead as the collector reads.

--stop-after K (tcp): once K lines are in, the collector "crashes" at a
moment when nothing is in flight: it stops the sender (SIGSTOP to the pid
in --pid-file), reads everything the sender had written, closes the
connection and the listening socket, lets the sender go on (SIGCONT),
stays down for --down seconds (connections are refused), then listens
again on the same port.

Runs until SIGTERM, then reads what its connections still hold, up to
their end, and exits.  A partial line at the end of a connection is
reported on stderr (and not written).  Only the Python standard library.
"""

import argparse
import os
import selectors
import signal
import socket
import sys
import time

stop = False


def on_term(_sig, _frm):
    global stop
    stop = True


class Sink:
    """Lines out to the file, per connection buffers for partial lines."""

    def __init__(self, path):
        self.fp = open(path, "ab")
        self.count = 0
        self.partial = 0

    def feed(self, buf, data):
        buf += data
        *lines, rest = buf.split(b"\n")
        for line in lines:
            self.fp.write(line + b"\n")
            self.count += 1
        self.fp.flush()
        return rest

    def end(self, rest):
        if rest:
            self.partial += 1
            sys.stderr.write("collector: partial line at end of connection: %r\n" % rest[:60])


def listen_tcp(port, rcvbuf):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind(("127.0.0.1", port))
    s.listen(8)
    s.setblocking(False)
    return s


def read_quiet(conn, buf, sink, quiet=0.5):
    """Read conn until it has been silent for `quiet` seconds or ends."""
    conn.setblocking(True)
    conn.settimeout(quiet)
    while True:
        try:
            data = conn.recv(65536)
        except socket.timeout:
            return buf, False
        if not data:
            return buf, True
        buf = sink.feed(buf, data)


def crash(args, sel, listener, conns, sink):
    """Stop the sender, take what it sent, go down, come back up."""
    for _ in range(100):
        if os.path.exists(args.pid_file):
            break
        time.sleep(0.05)
    with open(args.pid_file) as f:
        pid = int(f.read().strip())
    os.kill(pid, signal.SIGSTOP)
    for conn in list(conns):
        buf, ended = read_quiet(conn, conns[conn], sink)
        if ended:
            sink.end(buf)
        elif buf:
            sys.stderr.write("collector: partial line when going down\n")
        sel.unregister(conn)
        conn.close()
        del conns[conn]
    port = listener.getsockname()[1]
    sel.unregister(listener)
    listener.close()
    os.kill(pid, signal.SIGCONT)
    sys.stderr.write("collector: down after %d lines\n" % sink.count)
    time.sleep(args.down)
    listener = listen_tcp(port, args.rcvbuf)
    sel.register(listener, selectors.EVENT_READ)
    sys.stderr.write("collector: up again\n")
    return listener


def serve_stream(args, listener):
    sink = Sink(args.out)
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ)
    conns = {}
    crashed = False
    deadline = None
    while True:
        if stop and deadline is None:
            deadline = time.time() + 10
        if deadline is not None and (not conns or time.time() > deadline):
            break
        for key, _ in sel.select(timeout=0.1):
            if key.fileobj is listener:
                conn, _ = listener.accept()
                conn.setblocking(False)
                conns[conn] = b""
                sel.register(conn, selectors.EVENT_READ)
                continue
            conn = key.fileobj
            try:
                data = conn.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except ConnectionError:
                data = b""
            if not data:
                sink.end(conns.pop(conn))
                sel.unregister(conn)
                conn.close()
                continue
            conns[conn] = sink.feed(conns[conn], data)
        if args.stop_after and not crashed and sink.count >= args.stop_after:
            crashed = True
            listener = crash(args, sel, listener, conns, sink)
    for conn in conns:
        sink.end(conns[conn])
    sys.stderr.write("collector: %d lines, %d partial\n" % (sink.count, sink.partial))


def serve_dgram(args, sock):
    sink = Sink(args.out)
    sock.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(sock, selectors.EVENT_READ)
    while True:
        for _ in sel.select(timeout=0.1):
            while True:
                try:
                    data = sock.recv(1 << 20)
                except BlockingIOError:
                    break
                sink.feed(b"", data + b"\n")
        if stop:
            break
    sys.stderr.write("collector: %d datagrams\n" % sink.count)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["tcp", "unix", "unixgram"])
    ap.add_argument("--ready", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--path")
    ap.add_argument("--rcvbuf", type=int, default=0)
    ap.add_argument("--stop-after", type=int, default=0)
    ap.add_argument("--pid-file")
    ap.add_argument("--down", type=float, default=1.0)
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, on_term)
    open(args.out, "wb").close()
    if args.kind == "tcp":
        listener = listen_tcp(0, args.rcvbuf)
        ready = str(listener.getsockname()[1])
    else:
        if os.path.exists(args.path):
            os.unlink(args.path)
        stype = socket.SOCK_STREAM if args.kind == "unix" else socket.SOCK_DGRAM
        listener = socket.socket(socket.AF_UNIX, stype)
        listener.bind(args.path)
        if args.kind == "unix":
            listener.listen(8)
            listener.setblocking(False)
        ready = "ok"
    with open(args.ready + ".tmp", "w") as f:
        f.write(ready + "\n")
    os.rename(args.ready + ".tmp", args.ready)
    if args.kind == "unixgram":
        serve_dgram(args, listener)
    else:
        serve_stream(args, listener)


if __name__ == "__main__":
    main()
