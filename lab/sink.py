#!/usr/bin/env python3
"""One bulk TCP stream into a node, on a single connection (cluster.sh; iperf3 opens a control and a
data connection, which the tcp tracker may give to two different nodes).

    sink.py server NAME ADDRESS PORT         in every node: reads each connection to its end, answers
                                             "NAME BYTES\\n"
    sink.py client SOURCE VIP PORT SECONDS   sends zeros for SECONDS from SOURCE on one connection,
                                             then prints "NAME BYTES SECONDS GBITS" (the answer's
                                             name and count: what the node received)
"""
import socket
import sys
import threading
import time


def serve(name, address, port):
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((address, port))
    listener.listen(16)

    def drain(conn):
        with conn:
            total = 0
            buf = bytearray(1 << 20)
            while True:
                n = conn.recv_into(buf)
                if n == 0:
                    break
                total += n
            conn.sendall(f"{name} {total}\n".encode())

    while True:
        conn, _ = listener.accept()
        threading.Thread(target=drain, args=(conn,), daemon=True).start()


def send(source, vip, port, seconds):
    sock = socket.socket()
    sock.bind((source, 0))
    sock.settimeout(30)
    sock.connect((vip, port))
    chunk = memoryview(bytes(1 << 20))
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        sock.sendall(chunk)
    sock.shutdown(socket.SHUT_WR)
    answer = b""
    while not answer.endswith(b"\n"):
        data = sock.recv(256)
        if not data:
            break
        answer += data
    elapsed = time.monotonic() - start
    name, received = answer.decode().split()
    print(f"{name} {received} {elapsed:.2f} {int(received) * 8 / elapsed / 1e9:.2f}")


if __name__ == "__main__":
    if sys.argv[1] == "server":
        serve(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        send(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]))
