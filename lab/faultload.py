#!/usr/bin/env python3
"""Continuous HTTP load from many client source addresses, and its analysis (lab/faults.sh).

  faultload.py run --vip V --sources S1,S2,... [--rate R] [--timeout T] [--out FILE]
      every source starts a GET / on a new connection (bound to its address) every 1/R s, without
      waiting for the previous one, so a hung request never hides the next; each ends in one line
      "start_ms end_ms source result", result = the first line of the body (the node's name) or
      FAIL:<reason> (timeout, refused, reset, empty). Runs until SIGTERM/SIGINT; then waits for the
      requests in flight (at most T s) and exits.

  faultload.py analyze LOG --victim NAME --fault MS [--from MS] [--to MS] [--split FROM TO]
      figures of one fault scenario, one "key value" line each (see analyze()).
"""
import argparse
import asyncio
import collections
import signal
import sys
import time


def now_ms():
    return int(time.time() * 1000)


async def get(vip, source, timeout):
    """One GET on a new connection from source: the body's first line or FAIL:<reason>."""
    writer = None
    try:
        async def exchange():
            nonlocal writer
            reader, writer = await asyncio.open_connection(vip, 80, local_addr=(source, 0))
            writer.write(b"GET / HTTP/1.1\r\nHost: " + vip.encode() + b"\r\nConnection: close\r\n\r\n")
            return await reader.read(-1)
        data = await asyncio.wait_for(exchange(), timeout)
        body = data.partition(b"\r\n\r\n")[2].split(b"\n", 1)[0].decode(errors="replace").strip()
        return body if data.startswith(b"HTTP/1.1 200") and body else "FAIL:empty"
    except asyncio.TimeoutError:
        return "FAIL:timeout"
    except ConnectionRefusedError:
        return "FAIL:refused"
    except ConnectionResetError:
        return "FAIL:reset"
    except OSError as e:
        return "FAIL:errno%s" % e.errno
    finally:
        if writer is not None:
            writer.close()


async def run(args):
    out = open(args.out, "a", buffering=1) if args.out else sys.stdout
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    pending = set()

    async def one(source):
        start = now_ms()
        result = await get(args.vip, source, args.timeout)
        out.write("%d %d %s %s\n" % (start, now_ms(), source, result))

    async def source_loop(source, phase):
        await asyncio.sleep(phase)
        period = 1.0 / args.rate
        next_at = loop.time()
        while not stop.is_set():
            task = asyncio.ensure_future(one(source))
            pending.add(task)
            task.add_done_callback(pending.discard)
            next_at += period
            try:
                await asyncio.wait_for(stop.wait(), max(0, next_at - loop.time()))
            except asyncio.TimeoutError:
                pass

    sources = args.sources.split(",")
    loops = [asyncio.ensure_future(source_loop(s, k / len(sources) / args.rate)) for k, s in enumerate(sources)]
    await stop.wait()
    await asyncio.gather(*loops)
    if pending:
        await asyncio.wait(pending)
    out.flush()


def read_log(path):
    rows = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 4 and parts[0].isdigit() and parts[1].isdigit():
                rows.append((int(parts[0]), int(parts[1]), parts[2], parts[3]))
    rows.sort()
    return rows


def analyze(args):
    """Owner of a source: the node that last answered it before the fault. Survivors' sources (owner
    is not the victim): requests started in [from, to], how many failed, how many another node
    answered. The victim's sources: failed requests, time from the fault to the first answer by
    another node (the recovery), failures of requests started after it ('late'), and whether they
    then stayed there: 'back' counts answers by the
    victim to a request started after the source had moved, 'flaps' answers by a third node.
    With --split FROM TO (a time when two views each took every source: a partition), requests
    that overlap it are counted apart: split_requests, split_failed, split_wrong (answered by
    another node than the source's owner before it / its new owner)."""
    rows = read_log(args.log)
    t0 = args.__dict__["from"] if args.__dict__["from"] is not None else -1
    t1 = args.to if args.to is not None else float("inf")
    fault, victim = args.fault, args.victim
    owner = {}
    for start, end, source, result in rows:
        if end <= fault and not result.startswith("FAIL"):
            owner[source] = result
    by_source = collections.defaultdict(list)
    for row in rows:
        if t0 <= row[0] <= t1:
            by_source[row[2]].append(row)
    figures = collections.OrderedDict((k, 0) for k in (
        "sources", "unknown_owner", "survivor_sources", "survivor_requests", "survivor_failed", "survivor_moved",
        "victim_sources", "victim_requests", "victim_failed", "victim_failed_late", "victim_recovered", "victim_back",
        "victim_flaps", "split_requests", "split_failed", "split_wrong"))
    recoveries = []
    failures = collections.Counter()
    split = args.split

    def in_split(start, end, result, expected):
        if split is None or start > split[1] or end < split[0]:
            return False
        figures["split_requests"] += 1
        if result.startswith("FAIL"):
            figures["split_failed"] += 1
        elif expected is not None and result != expected:
            figures["split_wrong"] += 1
        return True

    for source, reqs in sorted(by_source.items()):
        figures["sources"] += 1
        own = owner.get(source)
        if own is None:
            figures["unknown_owner"] += 1
            continue
        if own != victim:
            figures["survivor_sources"] += 1
            for start, end, _, result in reqs:
                if in_split(start, end, result, own):
                    continue
                figures["survivor_requests"] += 1
                if result.startswith("FAIL"):
                    figures["survivor_failed"] += 1
                    failures[result] += 1
                elif result != own:
                    figures["survivor_moved"] += 1
            continue
        figures["victim_sources"] += 1
        moved_at, new_owner = None, None
        for start, end, _, result in sorted(reqs, key=lambda r: r[1]):
            if start < fault and end < fault:
                continue
            if moved_at is not None and in_split(start, end, result, new_owner):
                continue
            figures["victim_requests"] += 1
            if result.startswith("FAIL"):
                figures["victim_failed"] += 1
                if moved_at is not None and start > moved_at:
                    figures["victim_failed_late"] += 1
            elif result != victim and moved_at is None and end > fault:
                moved_at, new_owner = end, result
                recoveries.append(end - fault)
            elif moved_at is not None and start > moved_at and result == victim:
                figures["victim_back"] += 1
            elif moved_at is not None and result not in (victim, new_owner):
                figures["victim_flaps"] += 1
        if moved_at is not None:
            figures["victim_recovered"] += 1
    for key, value in figures.items():
        print(key, value)
    print("recovery_min_ms", min(recoveries) if recoveries else -1)
    print("recovery_max_ms", max(recoveries) if recoveries else -1)
    print("survivor_failures", ",".join("%s=%d" % kv for kv in sorted(failures.items())) or "none")


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run")
    r.add_argument("--vip", required=True)
    r.add_argument("--sources", required=True)
    r.add_argument("--rate", type=float, default=4)
    r.add_argument("--timeout", type=float, default=5)
    r.add_argument("--out")
    a = sub.add_parser("analyze")
    a.add_argument("log")
    a.add_argument("--victim", required=True)
    a.add_argument("--fault", type=int, required=True)
    a.add_argument("--from", type=int)
    a.add_argument("--to", type=int)
    a.add_argument("--split", type=int, nargs=2)
    args = parser.parse_args()
    if args.command == "run":
        asyncio.run(run(args))
    else:
        analyze(args)


if __name__ == "__main__":
    main()
