#!/usr/bin/env python3
"""Measures serve's HTTP front, side by side: two glueguard binaries (say, before and after a change), each run
as `serve` with examples/glueguard.yaml against one `simcloud`, each put through the same four loads in one run:

  burst      1,000 admissions from 200 connections opened in the same instant (5 each, keep-alive):
             connections refused or reset, and the p99 latency of the admissions that were answered;
  sustained  1,000 admissions/s for 10 s over 10 keep-alive connections, paced: p99 latency;
  peak       admissions/s at 64 connections (wrk, 10 s, 50 launches re-poking);
  headers    RSS of serve before and after one request carrying 6,000 headers of 8 KB (48 MB).

Absolute figures on a shared machine are noise; the ratios between the two binaries, measured in the same run,
are the result. Usage:
  bench/http_front.py --old OLD/glueguard --new build/glueguard [--source-dir .] [--json results.json]
Needs wrk (scripts/install-deps installs it) and a Linux /proc.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

KEY, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def start(args, log, env, ready):
    """Starts a process and returns (process, first match of `ready` in its output)."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    found, pattern = [], re.compile(ready)
    event = threading.Event()

    def copy():
        with open(log, "ab") as f:
            for line in proc.stdout:
                f.write(line)
                m = pattern.search(line.decode(errors="replace"))
                if m and not event.is_set():
                    found.append(m)
                    event.set()

    threading.Thread(target=copy, daemon=True).start()
    if not event.wait(120):
        raise RuntimeError(f"{args[:2]} did not start; see {log}")
    return proc, found[0]


def admission(i, prefix):
    return json.dumps({"category": ["critical", "non-critical", "ad-hoc"][i % 3], "workers": 1,
                       "run_id": f"{prefix}/{i}"}).encode()


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def burst(port, connections=200, per_connection=5):
    barrier = threading.Barrier(connections)
    latencies, failures, lock = [], [0], threading.Lock()

    def one(c):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            barrier.wait(timeout=60)
        except threading.BrokenBarrierError:
            pass
        for k in range(per_connection):
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/v1/admissions", body=admission(c * per_connection + k, "burst"),
                             headers={"Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                ok = r.status < 500
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
            except Exception:
                ok = False
                conn.close()
            with lock:
                if ok:
                    latencies.append(time.perf_counter() - t0)
                else:
                    failures[0] += 1

    threads = [threading.Thread(target=one, args=(c,)) for c in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"failed": failures[0], "answered": len(latencies), "p99_ms": percentile(latencies, 99) * 1000}


def sustained(port, rate=1000, seconds=10, connections=10):
    latencies, failures, lock = [], [0], threading.Lock()
    interval = connections / rate
    begin = time.perf_counter() + 0.2

    def one(c):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        n = 0
        while True:
            due = begin + n * interval + c * interval / connections
            if due > begin + seconds:
                return
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)  # pacing the load, not waiting for a result
            t0 = time.perf_counter()
            try:
                conn.request("POST", "/v1/admissions", body=admission(c * 10 + n % 10, "steady"),
                             headers={"Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
                ok = r.status < 500
            except Exception:
                ok = False
                conn.close()
            with lock:
                (latencies.append(time.perf_counter() - t0) if ok else failures.__setitem__(0, failures[0] + 1))
            n += 1

    threads = [threading.Thread(target=one, args=(c,)) for c in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"requests": len(latencies) + failures[0], "failed": failures[0],
            "p50_ms": percentile(latencies, 50) * 1000, "p99_ms": percentile(latencies, 99) * 1000}


def peak(port, workdir, connections=64, seconds=10):
    script = os.path.join(workdir, "admit.lua")
    with open(script, "w") as f:
        f.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
                'local n = 0\nrequest = function()\n  n = n + 1\n'
                '  return wrk.format(nil, "/v1/admissions", nil, string.format('
                '\'{"category":"ad-hoc","workers":1,"run_id":"peak/%d"}\', n % 50))\nend\n')
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script,
                          f"http://127.0.0.1:{port}/"], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"per_second": rate, "socket_errors": sum(map(int, errors.groups())) if errors else 0,
            "non_2xx": int(non2xx.group(1)) if non2xx else 0}


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def headers(port, pid):
    before = rss_kib(pid)
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    value = b"v" * 8000  # each line under 8 KB, the per-line limit most servers have: 48 MB in all
    status = None
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: bench\r\n")
        for i in range(6000):
            s.sendall(b"X-H%d: %s\r\n" % (i, value))
        s.sendall(b"\r\n")
    except OSError:
        pass  # the server may stop reading once it has answered
    try:
        head = s.recv(64)
        status = int(head.split()[1]) if head.startswith(b"HTTP/") else None
    except OSError:
        pass
    s.close()
    return {"status": status, "rss_before_mib": before / 1024, "rss_after_mib": rss_kib(pid) / 1024}


def measure(binary, label, config, env, workdir):
    proc, m = start([binary, "serve", "--config", config, "--listen", "127.0.0.1:0"],
                    os.path.join(workdir, f"serve-{label}.log"), env, r"API on http://127\.0\.0\.1:(\d+)")
    port = int(m.group(1))
    try:
        result = {"burst": burst(port), "sustained": sustained(port), "peak": peak(port, workdir),
                  "headers": headers(port, proc.pid)}
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    return result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--source-dir", default=".")
    ap.add_argument("--json")
    a = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="glueguard-bench-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GLUEGUARD_"))}
    sim, m = start([a.new, "simcloud", os.path.join(a.source_dir, "examples/workloads/seed-after.yaml"),
                    "--listen", "127.0.0.1:0", "--no-arrivals"], os.path.join(workdir, "simcloud.log"), env,
                   r"serving .* at http://127\.0\.0\.1:(\d+)")
    env.update(AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION="us-east-1",
               AWS_ENDPOINT_URL=f"http://127.0.0.1:{m.group(1)}", AWS_EC2_METADATA_DISABLED="true",
               AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    results = {}
    try:
        for label, binary in (("old", a.old), ("new", a.new)):
            config = open(os.path.join(a.source_dir, "examples/glueguard.yaml")).read()
            path = os.path.join(workdir, f"{label}.yaml")
            open(path, "w").write(config.replace("path: glueguard.db", f"path: {workdir}/{label}.db"))
            results[label] = measure(binary, label, path, env, workdir)
    finally:
        sim.send_signal(signal.SIGTERM)
        sim.wait(30)
    o, n = results["old"], results["new"]
    rows = [
        ("burst: failed of 1,000", o["burst"]["failed"], n["burst"]["failed"], ""),
        ("burst: p99 ms", o["burst"]["p99_ms"], n["burst"]["p99_ms"], o["burst"]["p99_ms"] / n["burst"]["p99_ms"]),
        ("sustained 1,000/s: p99 ms", o["sustained"]["p99_ms"], n["sustained"]["p99_ms"],
         o["sustained"]["p99_ms"] / n["sustained"]["p99_ms"]),
        ("sustained: failed", o["sustained"]["failed"], n["sustained"]["failed"], ""),
        ("peak at 64 connections: admissions/s", o["peak"]["per_second"], n["peak"]["per_second"],
         n["peak"]["per_second"] / o["peak"]["per_second"]),
        ("peak: socket errors", o["peak"]["socket_errors"], n["peak"]["socket_errors"], ""),
        ("48 MB of headers: status", o["headers"]["status"], n["headers"]["status"], ""),
        ("48 MB of headers: RSS growth MiB", o["headers"]["rss_after_mib"] - o["headers"]["rss_before_mib"],
         n["headers"]["rss_after_mib"] - n["headers"]["rss_before_mib"], ""),
    ]
    print(f"{'measure':40} {'old':>12} {'new':>12} {'ratio':>8}")
    for name, old, new, ratio in rows:
        fmt = lambda v: f"{v:12.1f}" if isinstance(v, float) else f"{str(v):>12}"
        print(f"{name:40} {fmt(old)} {fmt(new)} {('%8.1fx' % ratio) if ratio != '' else '':>8}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=2)
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
