#!/usr/bin/env python3
"""The assembled service under a 07:00 morning, with faults and a crash.

Starts `glueguard simcloud` (EC2 throttled and failing at random) and `glueguard serve` with
examples/glueguard.yaml (session boundaries on, its notifications sent to a webhook this script serves), both
on free 127.0.0.1 ports, then at once, for a bounded number of rounds:
  - bursts of admissions from 200 connections opened in the same instant,
  - valid and invalid session events,
  - /metrics scrapes and dashboard series reads,
  - 50 connections that send a header byte now and then and never finish,
  - /healthz asked continuously,
and in the middle kills serve with SIGKILL and starts it again on the same store.

It asserts what the people who depend on serve need, with no timed assertion:
  - no connection reset or refused, and no 5xx, outside the kill window (from the kill until the new
    process answers /healthz);
  - no over-admission: on each subnet, the admissions decided on one observation never spend more than
    free - buffer between them;
  - every event answered 202 is handled: notified exactly once if it was accepted after the restart, at least
    once (and at most twice) if a crash may have cut its handling; every invalid event is answered 400;
  - /healthz answered every time it was asked outside the kill window.
Exit 0 when all held; otherwise one line per failure. Usage: soak_serve.py --binary build/glueguard
[--source-dir .] [--rounds 12] [--pause 4]
"""
import argparse
import collections
import http.client
import json
import re
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))
from admission_checks import over_admissions  # noqa: E402
from glueguard_process import Proc, start_simcloud, stop_all  # noqa: E402
from session_events import create_session_event  # noqa: E402
from webhook import Webhook  # noqa: E402

CATEGORIES = ["critical", "non-critical", "ad-hoc"]


class Client:
    """One HTTP request on a new connection (or on `conn` when given); returns (status, body) or (None, error)."""

    @staticmethod
    def request(port, method, path, body=None, conn=None, timeout=60):
        own = conn is None
        try:
            if own:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
            headers = {"Content-Type": "application/json"} if data is not None else {}
            conn.request(method, path, body=data, headers=headers)
            r = conn.getresponse()
            return r.status, r.read()
        except Exception as e:  # refused, reset, timeout
            if conn is not None and not own:
                conn.close()
            return None, repr(e)
        finally:
            if own and conn is not None:
                conn.close()


class Recorder:
    """Every request the load made: when, what, and how it went; thread-safe."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rows = []  # (start, end, kind, status, detail)

    def add(self, start, end, kind, status, detail=""):
        with self.lock:
            self.rows.append((start, end, kind, status, detail))


def session_event(n, valid=True):
    if not valid:
        return [b"{", b"[" * 5000, b'{"detail": 7}', b"null"][n % 4]
    return create_session_event("soak", n)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--source-dir", default=".")
    ap.add_argument("--rounds", type=int, default=12)
    ap.add_argument("--pause", type=float, default=4.0, help="seconds of background load between bursts")
    ap.add_argument("--burst", type=int, default=200)
    ap.add_argument("--slow", type=int, default=50)
    a = ap.parse_args()
    wd = tempfile.mkdtemp(prefix="glueguard-soak-")
    failures = []
    procs = []
    webhook = Webhook()
    threading.Thread(target=webhook.serve_forever, daemon=True).start()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GLUEGUARD_"))}
        sim, env = start_simcloud(a.binary, a.source_dir, f"{wd}/simcloud.log", env,
                                  {"ec2": {"throttle_rate": 0.2, "server_error_rate": 0.1}})
        procs.append(sim)
        config = open(os.path.join(a.source_dir, "examples/glueguard.yaml")).read()
        config = config.replace("path: glueguard.db", f"path: {wd}/soak.db")
        config += f"\nnotify:\n  webhook_url: http://127.0.0.1:{webhook.server_address[1]}/hook\n"
        if "\nnotify:" in config[: config.rfind("\nnotify:")]:
            raise RuntimeError("the example configuration already has a notify section; merge it here")
        open(f"{wd}/soak.yaml", "w").write(config)
        serve = Proc([a.binary, "serve", "--config", f"{wd}/soak.yaml", "--listen", "127.0.0.1:0"],
                     f"{wd}/serve.log", env, r"API on http://127\.0\.0\.1:(\d+)")
        api_port = int(serve.start().group(1))
        serve.args[-1] = f"127.0.0.1:{api_port}"  # a restart listens where the clients are
        procs.append(serve.proc)

        rec = Recorder()
        stop = threading.Event()
        kill_window = [None, None]  # [killed at, answering again at]
        accepted = {}  # event id -> time its 202 came back
        invalid_answers = collections.Counter()
        admits = []  # decision JSON of every admission answered 200
        lock = threading.Lock()
        subnets = [s["id"] for s in json.loads(Client.request(api_port, "GET", "/v1/subnets")[1])["subnets"]]

        def healthz():
            while not stop.is_set():
                t0 = time.monotonic()
                status, detail = Client.request(api_port, "GET", "/healthz", timeout=30)
                rec.add(t0, time.monotonic(), "healthz", status, detail if status is None else "")
                stop.wait(0.1)

        def reads():
            conn = None
            i = 0
            while not stop.is_set():
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", api_port, timeout=60)
                if conn.sock is None:  # a new connection, or http.client reopening one the server closed
                    opened = time.monotonic()
                path = "/metrics" if i % 2 == 0 else f"/v1/subnets/{subnets[i % len(subnets)]}/series"
                t0 = time.monotonic()
                status, detail = Client.request(api_port, "GET", path, conn=conn)
                # A keep-alive connection to the killed process is found dead at its next request, which may
                # come after the restart: that exchange began when the connection was opened.
                start = opened if status is None else t0
                rec.add(start, time.monotonic(), "read " + path.split("/")[1], status, detail if status is None else "")
                if status is None:
                    conn = None  # keep-alive connection lost (the kill): a new one next time
                i += 1
                stop.wait(0.05)

        def events():
            n = 0
            while not stop.is_set():
                valid = n % 3 != 2
                t0 = time.monotonic()
                status, body = Client.request(api_port, "POST", "/v1/events", session_event(n, valid))
                rec.add(t0, time.monotonic(), "event", status, body if status is None else "")
                if valid and status == 202:
                    with lock:
                        accepted[f"soak-event-{n}"] = time.monotonic()
                elif not valid and status is not None:
                    invalid_answers[status] += 1
                elif valid and status is not None and status != 202:
                    failures.append(f"valid event {n} answered {status}: {body[:200]!r}")
                n += 1
                stop.wait(0.02)

        def slow_clients():
            socks = []
            for _ in range(a.slow):
                s = socket.create_connection(("127.0.0.1", api_port), timeout=5)
                s.send(b"GET /healthz HTTP/1.1\r\nX-Slow: ")
                socks.append(s)
            while not stop.is_set():
                for i, s in enumerate(socks):
                    try:
                        s.send(b"a")
                    except OSError:  # cut by the server's header deadline: open another
                        s.close()
                        try:
                            socks[i] = socket.create_connection(("127.0.0.1", api_port), timeout=5)
                            socks[i].send(b"GET /healthz HTTP/1.1\r\nX-Slow: ")
                        except OSError:
                            pass
                stop.wait(1.0)
            for s in socks:
                s.close()

        def burst(round_no):
            barrier = threading.Barrier(a.burst)
            results = [None] * a.burst

            def one(i):
                conn = http.client.HTTPConnection("127.0.0.1", api_port, timeout=60)
                try:
                    conn.connect()
                except Exception as e:
                    results[i] = (time.monotonic(), time.monotonic(), None, repr(e))
                    return
                try:
                    barrier.wait(timeout=30)
                except threading.BrokenBarrierError:
                    pass
                body = {"category": CATEGORIES[i % 3], "workers": 1 + i % 4, "run_id": f"soak/{round_no}/{i}"}
                t0 = time.monotonic()
                status, detail = Client.request(api_port, "POST", "/v1/admissions", body, conn=conn)
                conn.close()
                results[i] = (t0, time.monotonic(), status, detail)

            threads = [threading.Thread(target=one, args=(i,)) for i in range(a.burst)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            for t0, t1, status, detail in results:
                rec.add(t0, t1, "admission", status, detail if status is None or status >= 500 else "")
                if status == 200:
                    d = json.loads(detail)
                    if d["outcome"] == "admit":
                        with lock:
                            admits.append(d)

        background = [threading.Thread(target=f, daemon=True) for f in (healthz, reads, events, slow_clients)]
        for t in background:
            t.start()
        for round_no in range(a.rounds):
            burst(round_no)
            stop.wait(a.pause)  # the background load runs on between bursts
            if round_no == a.rounds // 2:
                kill_window[0] = time.monotonic()
                serve.proc.send_signal(signal.SIGKILL)
                serve.proc.wait()
                serve.start()
                procs.append(serve.proc)
                kill_window[1] = time.monotonic()
        stop.set()
        for t in background:
            t.join(timeout=60)

        # Every accepted event reaches the webhook once the inbox drains.
        def all_notified():
            seen = {n["fields"].get("event_id") for n in webhook.notifications if "fields" in n}
            return set(accepted) <= seen

        with webhook.lock:
            webhook.lock.wait_for(all_notified, timeout=120)

        # --- What must have held ---
        def in_kill_window(t0, t1):
            return kill_window[0] is not None and t1 >= kill_window[0] and t0 <= kill_window[1]

        outside = [r for r in rec.rows if not in_kill_window(r[0], r[1])]
        for t0, t1, kind, status, detail in outside:
            if status is None:
                failures.append(f"{kind}: no answer outside the kill window: {detail}")
            elif status >= 500:
                failures.append(f"{kind}: HTTP {status} outside the kill window: {detail[:200]!r}")
        health = [r for r in outside if r[2] == "healthz"]
        if not health or any(r[3] != 200 for r in health):
            failures.append(f"/healthz: {sum(r[3] == 200 for r in health)} of {len(health)} answered 200")

        failures.extend(over_admissions(admits))

        with webhook.lock:
            counts = collections.Counter(n["fields"].get("event_id") for n in webhook.notifications
                                         if "fields" in n and n.get("kind") == "session_violation")
        for event_id, at in accepted.items():
            n = counts.get(event_id, 0)
            before_restart = kill_window[1] is not None and at <= kill_window[1]
            if n == 0:
                failures.append(f"event {event_id} was accepted (202) but never handled")
            elif n > 1 and not before_restart:
                failures.append(f"event {event_id} was handled {n} times")
            elif n > 2:
                failures.append(f"event {event_id} was handled {n} times across one crash")
        if set(invalid_answers) - {400}:
            failures.append(f"invalid events were answered {dict(invalid_answers)}, not 400")
        if serve.proc.poll() is not None:
            failures.append("serve is no longer running")

        admissions = [r for r in rec.rows if r[2] == "admission"]
        print(f"soak: {len(admissions)} admissions ({len(admits)} admitted), {len(accepted)} events accepted, "
              f"{sum(invalid_answers.values())} invalid refused, {sum(r[2] == 'healthz' for r in rec.rows)} health "
              f"checks, {sum(r[2].startswith('read') for r in rec.rows)} reads; kill window "
              f"{kill_window[1] - kill_window[0]:.1f}s; {len(failures)} failures")
        for f in failures[:50]:
            print("FAIL " + f)
        return 0 if not failures else 1
    finally:
        stop_all(procs)
        webhook.shutdown()
        if not failures:
            shutil.rmtree(wd, ignore_errors=True)
        else:
            print(f"soak: logs in {wd}")


if __name__ == "__main__":
    sys.exit(main())
