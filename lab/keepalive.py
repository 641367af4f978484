#!/usr/bin/env python3
"""Long-lived HTTP/1.1 connections, one per source address, asked again on demand (cluster.sh).

    keepalive.py --vip VIP --sources A,B,... --ctl FIFO --out FILE

Opens one keep-alive connection to VIP:80 from each source and sends "GET /" on it. Then, for each
line "ROUND" read from the FIFO, sends one more "GET /" on every connection still open and appends
"ROUND source node" per connection to FILE ("FAIL:reason" instead of the node when the connection
was reset, closed or gave no answer in 5 s; a failed connection is not used again). "quit" ends it.
The first request's round is "open". nginx answers "<node>\n" on /, so the node that holds each
connection is named in every answer: with the tcp tracker a connection stays on the node that took
its SYN while the view changes.
"""
import argparse
import socket
import sys


def ask(sock):
    """One GET / on the connection; the body's first line (the node), or raises."""
    sock.sendall(b"GET / HTTP/1.1\r\nHost: lnlb\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed")
        body += chunk
    status = head.split(b" ", 2)[1].decode()
    if status != "200":
        raise ConnectionError("HTTP " + status)
    return body.decode().strip().splitlines()[0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--vip", required=True)
    p.add_argument("--sources", required=True)
    p.add_argument("--ctl", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    conns = {}
    with open(a.out, "a", buffering=1) as out:
        def round_of(name, sources):
            for s in sources:
                try:
                    if s not in conns:
                        sock = socket.socket()
                        sock.settimeout(5)
                        sock.bind((s, 0))
                        sock.connect((a.vip, 80))
                        conns[s] = sock
                    node = ask(conns[s])
                except (OSError, ConnectionError, ValueError, IndexError) as e:
                    node = "FAIL:" + (type(e).__name__ if not str(e) else str(e).replace(" ", "_"))
                    sock = conns.pop(s, None)
                    if sock:
                        sock.close()
                    dead.add(s)
                out.write(f"{name} {s} {node}\n")
        dead = set()
        sources = a.sources.split(",")
        round_of("open", sources)
        print("ready", flush=True)
        while True:
            with open(a.ctl) as ctl:
                for line in ctl:
                    name = line.strip()
                    if name == "quit":
                        return
                    if name:
                        round_of(name, [s for s in sources if s not in dead])
                        print("done " + name, flush=True)


if __name__ == "__main__":
    sys.exit(main())
