#!/usr/bin/env python3
"""UDP request/response from many sources, counting every answer per request (lab/hostile.sh, stall.sh).

    udp-dup.py client --vip V --port P --sources A,B,... --stop FILE --out FILE
                      [--rate 10] [--timeout 0.5] [--sends 6] [--linger 1.0]
    udp-dup.py analyze FILE... [--from MS] [--to MS] [--resume MS]

The server is lab/udp-rr.py's (in every node, bound to the VIP, answering "<node> <request>").

client: one process; every source address starts RATE requests a second, each from a new socket (a
new source port: a new flow), without waiting for earlier ones. Request "<source>-<n>/<send>": a
request unanswered after TIMEOUT s is sent again on the same socket (send 2, 3, ...), up to SENDS
sends (it fails 3 s after its start by default). After its first answer the socket stays open LINGER
s more and collects every further answer: a request accepted by two nodes gets two answers with two
node names. Runs until FILE --stop exists, then finishes the requests in flight. One line per request
in OUT, when it is done:
    <id> <source> <sport> <start_ms> <first_answer_ms|0> <sends> <nodes|-> <answers> <double_sends>
nodes: the distinct nodes that answered, in order; double_sends: sends (one datagram each) that
two or more distinct nodes answered.

analyze: requests started in [--from, --to) (epoch ms; default all): "key value" lines:
requests, answered, failed, double (requests answered by two or more distinct nodes), double_datagrams
(single datagrams answered by two nodes), resends, by_node, double_ids (up to 10), longest_wait_ms (the
longest time from a request's start to its first answer); with --resume T: first_answer_ms (first
answer received at or after T, minus T), all_sources_ms (the time until every source had an answer
to a request it started at or after T; -1 if one never had).
"""
import argparse
import collections
import os
import resource
import selectors
import socket
import sys
import time


def now_ms():
    return int(time.time() * 1000)


class Request:
    __slots__ = ("rid", "source", "sock", "sport", "start", "sends", "last_send", "first", "nodes", "answers",
                 "by_send")

    def __init__(self, rid, source, sock):
        self.rid, self.source, self.sock = rid, source, sock
        self.sport = sock.getsockname()[1]
        self.start = now_ms()
        self.sends = 0
        self.last_send = 0.0
        self.first = 0
        self.nodes = []
        self.answers = 0
        self.by_send = collections.defaultdict(set)


def client(a):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    target = (a.vip, a.port)
    sources = a.sources.split(",")
    sel = selectors.DefaultSelector()
    period = 1.0 / a.rate
    t0 = time.monotonic()
    next_at = {s: t0 + k * period / len(sources) for k, s in enumerate(sources)}
    counter = collections.Counter()
    live = {}
    out = open(a.out, "w", buffering=1)
    stopping = False
    last_check = 0.0
    stop_deadline = None

    def send(r):
        r.sends += 1
        r.last_send = time.monotonic()
        try:
            r.sock.send(f"{r.rid}/{r.sends}".encode())
        except OSError:
            pass

    def finish(r):
        del live[id(r.sock)]
        sel.unregister(r.sock)
        r.sock.close()
        doubles = sum(1 for nodes in r.by_send.values() if len(nodes) > 1)
        out.write("%s %s %d %d %d %d %s %d %d\n" % (r.rid, r.source, r.sport, r.start, r.first, r.sends,
                                                     ",".join(r.nodes) or "-", r.answers, doubles))

    while True:
        now = time.monotonic()
        if not stopping and now - last_check > 0.1:
            last_check = now
            if os.path.exists(a.stop):
                stopping = True
                stop_deadline = now + a.timeout * a.sends + a.linger + 1
        if not stopping:
            for s in sources:
                while next_at[s] <= now:
                    next_at[s] += period
                    counter[s] += 1
                    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    try:
                        sock.bind((s, 0))
                        sock.connect(target)
                    except OSError:
                        sock.close()
                        continue
                    sock.setblocking(False)
                    r = Request(f"{s}-{counter[s]}", s, sock)
                    live[id(sock)] = r
                    sel.register(sock, selectors.EVENT_READ, r)
                    send(r)
        elif not live or now > stop_deadline:
            for r in list(live.values()):
                finish(r)
            break
        for key, _ in sel.select(timeout=0.005):
            r = key.data
            while True:
                try:
                    data = r.sock.recv(2048)
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:          # ICMP errors (port unreachable) and the like
                    break
                words = data.decode(errors="replace").split()
                if len(words) != 2:
                    continue
                node, echoed = words
                rid, _, sendno = echoed.partition("/")
                if rid != r.rid:
                    continue
                r.answers += 1
                r.by_send[sendno].add(node)
                if node not in r.nodes:
                    r.nodes.append(node)
                if not r.first:
                    r.first = now_ms()
        now = time.monotonic()
        for r in list(live.values()):
            if r.first:
                if now - r.last_send >= a.linger and (now_ms() - r.first) >= a.linger * 1000:
                    finish(r)
            elif now - r.last_send >= a.timeout:
                if r.sends < a.sends:
                    send(r)
                else:
                    finish(r)
    out.close()


def analyze(a):
    rows = []
    for f in a.files:
        with open(f) as fh:
            for line in fh:
                w = line.split()
                if len(w) != 9:
                    continue
                rows.append((w[0], w[1], int(w[2]), int(w[3]), int(w[4]), int(w[5]), w[6], int(w[7]), int(w[8])))
    lo = a.from_ms if a.from_ms is not None else -1
    hi = a.to_ms if a.to_ms is not None else 1 << 62
    sel = [r for r in rows if lo <= r[3] < hi]
    answered = [r for r in sel if r[4]]
    double = [r for r in sel if r[6] != "-" and len(r[6].split(",")) > 1]
    by_node = collections.Counter(r[6].split(",")[0] for r in answered)
    print("requests", len(sel))
    print("answered", len(answered))
    print("failed", len(sel) - len(answered))
    print("double", len(double))
    print("double_datagrams", sum(r[8] for r in sel))
    print("resends", sum(r[5] - 1 for r in sel))
    print("by_node", ",".join("%s=%d" % kv for kv in sorted(by_node.items())) or "-")
    print("double_ids", ",".join("%s:%s" % (r[0], r[6]) for r in double[:10]) or "-")
    print("longest_wait_ms", max((r[4] - r[3] for r in answered), default=-1))
    if a.resume is not None:
        t = a.resume
        firsts = [r[4] for r in rows if r[4] >= t]
        print("first_answer_ms", min(firsts) - t if firsts else -1)
        per_source = {}
        for r in rows:
            per_source.setdefault(r[1], None)
            if r[3] >= t and r[4]:
                per_source[r[1]] = min(per_source[r[1]] or r[4], r[4])
        if per_source and all(v is not None for v in per_source.values()):
            print("all_sources_ms", max(per_source.values()) - t)
        else:
            print("all_sources_ms", -1)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("client")
    c.add_argument("--vip", required=True)
    c.add_argument("--port", type=int, default=7000)
    c.add_argument("--sources", required=True)
    c.add_argument("--stop", required=True)
    c.add_argument("--out", required=True)
    c.add_argument("--rate", type=float, default=10.0)
    c.add_argument("--timeout", type=float, default=0.5)
    c.add_argument("--sends", type=int, default=6)
    c.add_argument("--linger", type=float, default=1.0)
    z = sub.add_parser("analyze")
    z.add_argument("files", nargs="+")
    z.add_argument("--from", dest="from_ms", type=int)
    z.add_argument("--to", dest="to_ms", type=int)
    z.add_argument("--resume", type=int)
    a = p.parse_args()
    client(a) if a.cmd == "client" else analyze(a)


if __name__ == "__main__":
    main()
