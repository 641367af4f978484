#!/usr/bin/env python3
"""A hostile host on the cluster's segment (lab/hostile.sh): forged and malformed cluster frames.

    forge.py --iface eth0 --vip 10.77.0.100 [--rate 4000] [--duration 30] [--learn 3]
             [--nodes MAC,MAC,...] [--seed N] [--slice 1400]

Opens an AF_PACKET socket on IFACE for EtherType 0x88B5 (promiscuous: the bridge floods frames to the
cluster MAC, 02:00 + the VIP's bytes, to every port, so this host sees the real nodes' cluster traffic).
For --learn seconds it only listens: the real nodes' MACs (frame sources; --nodes adds some), each
one's last message id, the epoch of their heartbeats, and a ring of real frames to replay. Then, for
--duration seconds and at --rate frames per second (bounded: it stops by itself), it sends to the
cluster MAC, round robin over these kinds (each in header version 1 and 2: another version of lnlb may
authenticate every fragment under version 2; a version-2 frame flagged authenticated carries a random
24-byte trailer on its slice):

  huge_first     first fragment (index 0) of a message announcing 32768 fragments (the most the
                 header allows) of --slice bytes: a ~45 MB body; new message id every time
  huge_index     the LAST fragment (index count-1) of such a message: a receiver that allocates
                 index x slice bytes on arrival allocates ~45 MB for it
  random_index   a random count 2..32768 and a random index, fields consistent with each other
  lying          fields that lie: slice past the frame's end, total shorter than the slice, count 0,
                 index >= count, one fragment whose slice is not the total, slices that do not tile
                 the total, a whole body with a wrong CRC, unknown message types
  guessed_id     fragments under a real node's MAC with the message ids it will use next (its last
                 id + 1..16), a count of 2..4 and a random index: they collide with its real messages
  replay         a real cluster frame captured from the segment, sent again byte for byte
  forged_ctl     whole single-fragment JOIN, LEAVE, HEARTBEAT (epoch seen + 0/1), ASK_RETRANSMIT,
                 PREPARE/COMMIT (a view of the forged sender alone, or of the nodes with an extra
                 member, next epoch), PREPARED, COMMITTED and WELCOME, correct CRC, with a real node's
                 MAC as source (JOIN also from a new MAC), flagged authenticated with a random
                 trailer (counter + tag) or not flagged
  random_bytes   EtherType 0x88B5 and 0..1486 random bytes (frames shorter than the header included)

At the end it prints one line per kind, "KIND COUNT", then "total N", "send_errors N", "learned
NODES", and on stderr what it learned. Exit 0 (1 when it could not open the socket).

--dump N sends nothing and opens no socket: it prints N frames of each kind as "KIND HEX" lines, to
check them against the Java parser offline (ClusterHeader.check, MessageCodec.decode: the version-1
huge, random-index and guessed-id fragments pass the header check, the forged control messages have
a good CRC and decode, the lying ones are refused for the reason they were built for).
"""
import argparse
import os
import random
import socket
import struct
import sys
import time
import zlib

ETH_P_LNLB = 0x88B5
SOL_PACKET = 263
PACKET_ADD_MEMBERSHIP = 1
PACKET_MR_PROMISC = 1
PACKET_OUTGOING = 4
HEADER = 38            # the lnlb header after the Ethernet header (ClusterHeader.HEADER_LENGTH)
FRAME_HEADER = 14 + HEADER
MAX_FRAGMENTS = 0x8000
FLAG_AUTHENTICATED = 0x0001
TRAILER = 8 + 16       # MessageAuthenticator: u64 counter + 16-byte tag
JOIN, WELCOME, HEARTBEAT, ASK_RETRANSMIT, RETRANSMIT, LEAVE, CONNTRACK, PREPARE, PREPARED, COMMIT, COMMITTED = range(1, 12)
KINDS = ["huge_first", "huge_index", "random_index", "lying", "guessed_id", "replay", "forged_ctl", "random_bytes"]


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def mac_text(raw):
    return ":".join("%02x" % b for b in raw)


class Forge:
    def __init__(self, args):
        self.rng = random.Random(args.seed)
        self.vip4 = socket.inet_aton(args.vip)
        self.vip16 = bytes(10) + b"\xff\xff" + self.vip4
        self.cluster_mac = b"\x02\x00" + self.vip4
        self.slice = args.slice
        self.nodes = {}                  # MAC bytes -> last message id seen
        for m in filter(None, (args.nodes or "").split(",")):
            self.nodes[mac_bytes(m)] = 0
        self.epoch = 0
        self.replays = []                # real frames, a ring
        self.own_id = self.rng.getrandbits(32)
        self.counts = {k: 0 for k in KINDS}
        self.send_errors = 0
        self.captured = 0
        if args.dump:
            self.sock, self.own_mac = None, b"\x02\x6c\x6e\x00\x00\xee"
            return
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_LNLB))
        self.sock.bind((args.iface, ETH_P_LNLB))
        ifindex = socket.if_nametoindex(args.iface)
        mreq = struct.pack("iHH8s", ifindex, PACKET_MR_PROMISC, 0, b"")
        self.sock.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        self.sock.setblocking(False)
        self.own_mac = self.sock.getsockname()[4]

    # ---- listening ---------------------------------------------------------------------------------
    def capture(self, limit=256):
        for _ in range(limit):
            try:
                frame, addr = self.sock.recvfrom(65535)
            except (BlockingIOError, InterruptedError):
                return
            if addr[2] == PACKET_OUTGOING or len(frame) < FRAME_HEADER:
                continue
            src = frame[6:12]
            if frame[0:6] != self.cluster_mac or src == self.own_mac or frame[16 + 2:18 + 16] != self.vip16:
                continue
            self.captured += 1
            msg_id = struct.unpack_from("!I", frame, 34)[0]
            self.nodes[src] = msg_id
            if frame[15] == HEARTBEAT and struct.unpack_from("!H", frame, 40)[0] == 1 and len(frame) >= FRAME_HEADER + 8:
                self.epoch = max(self.epoch, struct.unpack_from("!Q", frame, FRAME_HEADER)[0])
            if len(self.replays) < 512:
                self.replays.append(frame)
            else:
                self.replays[self.rng.randrange(len(self.replays))] = frame

    # ---- building frames ---------------------------------------------------------------------------
    def next_id(self):
        self.own_id = (self.own_id + 1) & 0xFFFFFFFF
        return self.own_id

    def some_source(self, real_share=0.5):
        if self.nodes and self.rng.random() < real_share:
            return self.rng.choice(list(self.nodes))
        return bytes([0x02, 0x66, 0x6f]) + self.rng.randbytes(3)

    def frame(self, src, mtype, msg_id, index, count, total, crc, slice_bytes, version=None, flags=None,
              slice_length=None):
        version = self.rng.choice((1, 2)) if version is None else version
        if flags is None:
            flags = self.rng.choice((0, FLAG_AUTHENTICATED))
        if version == 2 and flags & FLAG_AUTHENTICATED:
            slice_bytes = slice_bytes + self.rng.randbytes(TRAILER)   # a guessed per-fragment tag
        length = len(slice_bytes) if slice_length is None else slice_length
        head = struct.pack("!6s6sHBBH16sIHHIIH", self.cluster_mac, src, ETH_P_LNLB, version, mtype, flags,
                           self.vip16, msg_id, index, count, total & 0xFFFFFFFF, crc & 0xFFFFFFFF, length & 0xFFFF)
        return head + slice_bytes

    def whole(self, src, mtype, body, authenticated):
        """A single-fragment message; authenticated: a random trailer (a counter ahead of any node's)."""
        if authenticated:
            counter = (int(time.time() * 1000) << 20) + self.rng.getrandbits(30)
            body = body + struct.pack("!Q", counter) + self.rng.randbytes(16)
        return self.frame(src, mtype, self.next_id(), 0, 1, len(body), zlib.crc32(body), body,
                          flags=FLAG_AUTHENTICATED if authenticated else 0)

    def huge_first(self):
        count = MAX_FRAGMENTS
        return self.frame(self.some_source(), self.rng.choice((CONNTRACK, WELCOME, COMMITTED)), self.next_id(), 0,
                          count, count * self.slice, self.rng.getrandbits(32), self.rng.randbytes(self.slice))

    def huge_index(self):
        count = self.rng.choice((MAX_FRAGMENTS, MAX_FRAGMENTS - 1, 20000))
        last = self.rng.randrange(1, self.slice + 1)
        return self.frame(self.some_source(), self.rng.choice((CONNTRACK, WELCOME, COMMITTED)), self.next_id(),
                          count - 1, count, (count - 1) * self.slice + last, self.rng.getrandbits(32),
                          self.rng.randbytes(last))

    def random_index(self):
        count = self.rng.randrange(2, MAX_FRAGMENTS + 1)
        index = self.rng.randrange(count)
        size = self.slice if index < count - 1 else self.rng.randrange(1, self.slice + 1)
        total = (count - 1) * self.slice + (size if index == count - 1 else self.rng.randrange(1, self.slice + 1))
        return self.frame(self.some_source(), self.rng.randrange(1, 12), self.next_id(), index, count, total,
                          self.rng.getrandbits(32), self.rng.randbytes(size))

    def lying(self):
        r = self.rng.randrange(8)
        src, t, i = self.some_source(), self.rng.randrange(1, 12), self.next_id()
        body = self.rng.randbytes(self.rng.randrange(1, 200))
        if r == 0:   # slice length past the frame's end
            return self.frame(src, t, i, 0, 1, 60000, zlib.crc32(body), body, slice_length=60000)
        if r == 1:   # total shorter than the slice
            return self.frame(src, t, i, 0, 2, len(body) // 2, 0, body)
        if r == 2:   # count 0
            return self.frame(src, t, i, 0, 0, len(body), zlib.crc32(body), body)
        if r == 3:   # index >= count
            return self.frame(src, t, i, 5, 3, 3 * len(body), 0, body)
        if r == 4:   # one fragment, slice is not the total
            return self.frame(src, t, i, 0, 1, len(body) + 100, zlib.crc32(body), body)
        if r == 5:   # slices that cannot tile the total (S * count < total)
            return self.frame(src, t, i, 0, 3, 10 * len(body), 0, body)
        if r == 6:   # a whole body with a wrong CRC
            return self.frame(src, HEARTBEAT, i, 0, 1, 13, zlib.crc32(body[:13]) ^ 1, (body * 13)[:13])
        return self.frame(src, self.rng.choice((0, 12, 99, 255)), i, 0, 1, len(body), zlib.crc32(body), body)

    def guessed_id(self):
        if not self.nodes:
            return self.random_index()
        src = self.rng.choice(list(self.nodes))
        msg_id = (self.nodes[src] + self.rng.randrange(1, 17)) & 0xFFFFFFFF
        count = self.rng.randrange(2, 5)
        index = self.rng.randrange(count)
        size = self.slice if index < count - 1 else self.rng.randrange(1, self.slice + 1)
        total = (count - 1) * self.slice + (size if index == count - 1 else 100)
        return self.frame(src, self.rng.choice((CONNTRACK, WELCOME, HEARTBEAT, COMMIT)), msg_id, index, count, total,
                          self.rng.getrandbits(32), self.rng.randbytes(size))

    def replay(self):
        if not self.replays:
            return self.random_bytes()
        return self.rng.choice(self.replays)

    def view(self, epoch, members):
        body = struct.pack("!QH", epoch, len(members))
        for m in members:
            body += m + struct.pack("!I", self.rng.randrange(1, 1000))
        return body

    def forged_ctl(self):
        src = self.some_source(0.85)
        nodes = sorted(self.nodes)
        epoch = self.epoch + self.rng.randrange(0, 2)
        kind = self.rng.randrange(9)
        if kind == 0:
            t, body = JOIN, struct.pack("!I", self.rng.randrange(1, 1000))
        elif kind == 1:
            t, body = LEAVE, b""
        elif kind == 2:
            t, body = HEARTBEAT, struct.pack("!QIB", epoch, self.rng.randrange(0, 1000), self.rng.randrange(0, 3))
        elif kind == 3:
            t, body = ASK_RETRANSMIT, self.rng.choice(nodes or [src]) + struct.pack("!Q", epoch)
        elif kind in (4, 5):
            members = [src] if self.rng.random() < 0.5 else sorted(set(nodes) | {self.some_source(0.0)})
            t, body = (PREPARE if kind == 4 else COMMIT), self.view(self.epoch + 1, members)
        elif kind == 6:
            t, body = PREPARED, struct.pack("!Q", self.epoch + 1)
        elif kind == 7:
            t, body = COMMITTED, struct.pack("!QBI", self.epoch + 1, 0, 0)
        else:
            joiner = self.some_source(0.0)
            t, body = WELCOME, joiner + self.view(self.epoch + 1, [src, joiner]) + struct.pack("!H", 1) + b"\x00"
        return self.whole(src, t, body, self.rng.random() < 0.5)

    def random_bytes(self):
        return self.cluster_mac + self.some_source() + struct.pack("!H", ETH_P_LNLB) + \
            self.rng.randbytes(self.rng.randrange(0, 1487))

    # ---- sending -----------------------------------------------------------------------------------
    def run(self, rate, duration):
        makers = [getattr(self, k) for k in KINDS]
        start = time.monotonic()
        sent = 0
        k = 0
        while True:
            now = time.monotonic()
            elapsed = now - start
            if elapsed >= duration:
                break
            self.capture()
            due = int(elapsed * rate) - sent
            for _ in range(min(due, 2000)):
                kind = KINDS[k % len(KINDS)]
                k += 1
                frame = makers[KINDS.index(kind)]()
                if len(frame) < 60:
                    frame = frame + bytes(60 - len(frame))   # Ethernet padding, as a NIC would
                try:
                    self.sock.send(frame)
                    self.counts[kind] += 1
                except (BlockingIOError, OSError):
                    self.send_errors += 1
                sent += 1
            time.sleep(0.002)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--iface", default="eth0")
    p.add_argument("--vip", required=True)
    p.add_argument("--rate", type=float, default=4000, help="frames per second")
    p.add_argument("--duration", type=float, default=30, help="seconds of sending (then it stops)")
    p.add_argument("--learn", type=float, default=3, help="seconds of listening before sending")
    p.add_argument("--nodes", default="", help="real node MACs, comma-separated (besides those it hears)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--slice", type=int, default=1400, help="slice bytes of a full fragment (MTU 1500 - 38 at most)")
    p.add_argument("--dump", type=int, default=0, metavar="N",
                   help="send nothing: print N frames of each kind as 'KIND HEX' lines (no socket; to check them offline)")
    args = p.parse_args()
    if args.dump:
        forge = Forge(args)
        for k in KINDS:
            for _ in range(args.dump):
                print(k, getattr(forge, k)().hex())
        return
    if not 0 < args.duration <= 3600 or not 0 < args.rate <= 200000:
        sys.exit("forge.py: duration must be 0..3600 s, rate 0..200000 frames/s")
    try:
        forge = Forge(args)
    except OSError as e:
        print("forge.py: cannot open an AF_PACKET socket on %s: %s" % (args.iface, e), file=sys.stderr)
        sys.exit(1)
    deadline = time.monotonic() + args.learn
    while time.monotonic() < deadline:
        forge.capture()
        time.sleep(0.01)
    print("forge.py: learned %d node MACs (%s), epoch %d, %d frames captured for replay; sending %g frames/s for %g s"
          % (len(forge.nodes), " ".join(mac_text(m) for m in sorted(forge.nodes)), forge.epoch, len(forge.replays),
             args.rate, args.duration), file=sys.stderr, flush=True)
    forge.run(args.rate, args.duration)
    for k in KINDS:
        print(k, forge.counts[k])
    print("total", sum(forge.counts.values()))
    print("send_errors", forge.send_errors)
    print("captured", forge.captured)
    print("learned", ",".join(mac_text(m) for m in sorted(forge.nodes)) or "-")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
