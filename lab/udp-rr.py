#!/usr/bin/env python3
"""UDP request/response for lab/hotswap.sh.

    udp-rr.py server NAME ADDRESS PORT
        answers every datagram "<request>" with "<NAME> <request>", from ADDRESS (the VIP: bound to
        it, so that the answer leaves from the address the client asked)
    udp-rr.py client SOURCE VIP PORT STOPFILE OUT [TIMEOUT_S] [SENDS] [PAUSE_S]
        every request on a new socket (a new source port: a new flow for the UDP tracker)

The client runs until STOPFILE exists. Retry policy (as request/response clients do): a request without an
answer after TIMEOUT_S (0.5) is sent again on the same socket, up to SENDS (6) sends in all, so a
request fails only after 3 s without an answer. OUT gets one line per request:
"ok <node> <sends> <source port> <epoch ms>" or "fail - <sends> <source port> <epoch ms>"; every
send after the first is a raw timeout.
"""
import os
import socket
import sys
import time


def ask(source, target, request, timeout, sends):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        port = s.getsockname()[1]
        s.settimeout(timeout)
        for sent in range(1, sends + 1):
            s.sendto(request, target)
            deadline = time.monotonic() + timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                s.settimeout(left)
                try:
                    data, _ = s.recvfrom(2048)
                except socket.timeout:
                    break
                words = data.decode(errors="replace").split()
                # an answer to an earlier send of the same request counts as well
                if len(words) == 2 and words[1] == request.decode().strip():
                    return words[0], sent, port
        return None, sends, port


def serve(name, address, port):
    # one process, one socket: no datagram waits for a fork (socat's UDP-RECVFROM,fork lets a live
    # child read, and drop, datagrams meant for the next request)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((address, int(port)))
        while True:
            data, peer = s.recvfrom(2048)
            s.sendto(f"{name} {data.decode(errors='replace').strip()}\n".encode(), peer)


def client(argv):
    source, vip, port, stop, out = argv[0:5]
    timeout = float(argv[5]) if len(argv) > 5 else 0.5
    sends = int(argv[6]) if len(argv) > 6 else 6
    pause = float(argv[7]) if len(argv) > 7 else 0.02
    n = 0
    with open(out, "w", buffering=1) as f:
        while not os.path.exists(stop):
            n += 1
            started = int(time.time() * 1000)
            node, sent, sport = ask(source, (vip, int(port)), f"{source}-{n}\n".encode(), timeout, sends)
            f.write(f"{'ok' if node else 'fail'} {node or '-'} {sent} {sport} {started}\n")
            time.sleep(pause)


if __name__ == "__main__":
    if sys.argv[1:2] == ["server"] and len(sys.argv) == 5:
        serve(*sys.argv[2:5])
    elif sys.argv[1:2] == ["client"] and len(sys.argv) >= 7:
        client(sys.argv[2:])
    else:
        sys.exit(__doc__)
