#!/usr/bin/env python3
"""A two-port frame relay that delays every frame by a random time: jitter without sch_netem.

  jitter.py IF_A IF_B MAX_MS

Copies every frame received on IF_A to IF_B and back, each one after its own delay drawn uniformly
from [0, MAX_MS] ms. Frames are not kept in order (a later frame with a shorter delay overtakes),
as under netem's jitter. lab/faults.sh puts it between a node's port and the bridge when the kernel
has no sch_netem. Packet sockets with PACKET_VNET_HDR carry the offload metadata (GSO, partial
checksums) across, so the veths keep their offloads on. Prints "ready" once both ports are bound; runs until
SIGTERM; prints the count of frames relayed each way on exit.
"""
import errno
import heapq
import random
import select
import signal
import socket
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_VNET_HDR = 15
PACKET_OUTGOING = 4
BUFFER = 65536 + 64


def open_port(name):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((name, 0))
    s.setblocking(False)
    return s


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: jitter.py IF_A IF_B MAX_MS")
    a, b = open_port(sys.argv[1]), open_port(sys.argv[2])
    max_delay = float(sys.argv[3]) / 1000
    other = {a: b, b: a}
    counts = {a: 0, b: 0}
    due = []  # (time, sequence, out socket, frame)
    sequence = 0
    running = [True]
    signal.signal(signal.SIGTERM, lambda *_: running.__setitem__(0, False))
    print("ready", flush=True)
    while running[0]:
        now = time.monotonic()
        while due and due[0][0] <= now:
            _, _, out, frame = heapq.heappop(due)
            try:
                out.send(frame)
            except OSError:
                pass  # a full queue or a port going down: a lost frame, as on a real link
        wait = min(0.2, due[0][0] - now) if due else 0.2
        try:
            readable, _, _ = select.select([a, b], [], [], max(0, wait))
        except InterruptedError:
            continue
        for s in readable:
            while True:
                try:
                    frame, address = s.recvfrom(BUFFER)
                except (BlockingIOError, InterruptedError):
                    break
                except OSError as e:
                    if e.errno != errno.ENETDOWN:
                        raise
                    break  # the other end of a veth is not up yet (or any more)
                if address[2] == PACKET_OUTGOING:
                    continue  # what the relay itself (or the kernel) sent on this port
                counts[s] += 1
                sequence += 1
                heapq.heappush(due, (time.monotonic() + random.uniform(0, max_delay), sequence, other[s], frame))
    print("relayed %s->%s %d, %s->%s %d" % (sys.argv[1], sys.argv[2], counts[a], sys.argv[2], sys.argv[1], counts[b]))


if __name__ == "__main__":
    main()
