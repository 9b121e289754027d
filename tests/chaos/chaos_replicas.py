#!/usr/bin/env python3
"""Three `serve` replicas on one DynamoDB store, with one of them killed and restarted every few seconds.

Starts dynalite (tests/dynalite) and `glueguard simcloud` (EC2 throttled and failing at random), creates the
store's tables with `glueguard store init`, and starts three `glueguard serve` replicas on them (polling every
5 s, so the 35 s poller leases change hands within the run). Then, for --seconds:
  - 100 HTTP clients ask for admissions, each starting at its own replica and going on to the next when one
    does not answer, for up to three rounds, as a launcher given three URLs does;
  - `glueguard admit --server URL1,URL2,URL3` processes ask too;
  - session events (CreateSession with 50 workers: a violation) are posted to one replica, every other one
    to a second too (a retried delivery); replicas keep nothing on local disk, as on ECS;
  - every --kill-every seconds one replica, chosen at random, is killed with SIGKILL and started again on its
    port two seconds later.

It asserts, with no timed assertion:
  - no over-admission: on each subnet, the admissions decided on one observation, by any replica, never spend
    more than free - buffer between them, and none counted fewer reserved IPs than were already admitted on it;
  - every client's ask was answered by some replica (a 503 is a fail-closed answer, counted, not a failure);
  - no `admit` process exited 1 (a replica dying must read as "ask again", exit 75, or succeed elsewhere);
  - every event a replica accepted (202) is acted on, even when that replica was killed before handling it
    (the inbox is shared): notified once, through the dedupe ledger the replicas share; twice only if a replica was killed within 2 s after the first notice and before the second (it
    may die between notifying and recording the event as handled: at least once, never lost);
  - each subnet was observed by one poller at a time: in the observations table, wherever the observer
    changes, the new one's first observation comes more than the lease margin (5 s) after the old one's last;
  - all three replicas are running at the end.
Exit 0 when all held; otherwise one line per failure. Usage: chaos_replicas.py --binary build/glueguard
[--source-dir .] [--seconds 60] [--kill-every 6]
"""
import argparse
import collections
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))
from admission_checks import over_admissions  # noqa: E402
from glueguard_process import KEY, SECRET, Proc, start_simcloud, stop_all  # noqa: E402
from session_events import create_session_event  # noqa: E402
from webhook import Webhook  # noqa: E402

CATEGORIES = ["critical", "non-critical", "ad-hoc"]
LEASE_MARGIN_MS = 5000


def ask(port, body):
    """POST /v1/admissions on a new connection: (status, decision or error text), status None on no answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", "/v1/admissions", body=json.dumps(body), headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        return r.status, r.read().decode(errors="replace")
    except (OSError, http.client.HTTPException) as e:
        return None, repr(e)
    finally:
        conn.close()


def observations(dynalite_port, table, subnet):
    """Every stored observation of `subnet`, oldest first, read with botocore (Debian's python3-botocore)."""
    import botocore.session
    client = botocore.session.get_session().create_client(
        "dynamodb", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{dynalite_port}",
        aws_access_key_id=KEY, aws_secret_access_key=SECRET)
    items, start = [], None
    while True:
        args = dict(TableName=table, KeyConditionExpression="subnet_id = :s", ConsistentRead=True,
                    ExpressionAttributeValues={":s": {"S": subnet}})
        if start:
            args["ExclusiveStartKey"] = start
        page = client.query(**args)
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return [(int(i["observed_at"]["N"]), i.get("observer", {}).get("S", "")) for i in items]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--source-dir", default=".")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--kill-every", type=float, default=6)
    ap.add_argument("--clients", type=int, default=100)
    a = ap.parse_args()
    wd = tempfile.mkdtemp(prefix="glueguard-chaos-")
    failures = []
    procs = []
    rng = random.Random(7)
    webhook = Webhook()
    threading.Thread(target=webhook.serve_forever, daemon=True).start()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GLUEGUARD_"))}
        dynalite_dir = os.path.join(a.source_dir, "tests/dynalite")
        dynalite = Proc(["/usr/bin/node", "serve.js"], f"{wd}/dynalite.log", env, r"dynalite listening on (\d+)",
                        cwd=dynalite_dir)  # serve.js finds its node_modules from there
        dynalite_port = int(dynalite.start().group(1))
        procs.append(dynalite.proc)

        sim, env = start_simcloud(a.binary, a.source_dir, f"{wd}/simcloud.log", env,
                                  {"ec2": {"throttle_rate": 0.1, "server_error_rate": 0.05}})
        procs.append(sim)

        config = open(os.path.join(a.source_dir, "examples/glueguard.yaml")).read()
        config, n = re.subn(r"store:\n(  .*\n)+", "store:\n  kind: dynamodb\n", config)
        if n != 1:
            raise RuntimeError("the example configuration has no store section to replace")
        config, n = re.subn(r"\n  poll_interval: \S+", "\n  poll_interval: 5s", config)
        if n != 1:
            raise RuntimeError("the example configuration has no admission.poll_interval to replace")
        # A killed replica's claims are taken over after 20 s, so the run can wait for every event.
        config, n = re.subn(r"\n  provisioning_wait: \S+", "\n  provisioning_wait: 5s\n  claim_stale_after: 20s",
                            config)
        if n != 1 or "\nnotify:" in config:
            raise RuntimeError("the example configuration's sessions or notify section changed; merge it here")
        config += f"\nnotify:\n  webhook_url: http://127.0.0.1:{webhook.server_address[1]}/hook\n"
        open(f"{wd}/chaos.yaml", "w").write(config)
        env["AWS_ENDPOINT_URL_DYNAMODB"] = f"http://127.0.0.1:{dynalite_port}"
        init = subprocess.run([a.binary, "store", "init", "--config", f"{wd}/chaos.yaml"], env=env,
                              capture_output=True, text=True, timeout=120)
        if init.returncode != 0:
            raise RuntimeError(f"store init failed: {init.stdout}{init.stderr}")

        replicas, ports = [], []
        for i in range(3):
            # store.path points nowhere writable: with store.kind dynamodb a replica keeps nothing locally.
            renv = dict(env, GLUEGUARD_STORE_PATH=f"{wd}/no-such-dir/replica-{i}.db")
            r = Proc([a.binary, "serve", "--config", f"{wd}/chaos.yaml", "--listen", "127.0.0.1:0"],
                     f"{wd}/replica-{i}.log", renv, r"API on http://127\.0\.0\.1:(\d+)")
            ports.append(int(r.start().group(1)))
            r.args[-1] = f"127.0.0.1:{ports[-1]}"  # a restart listens where the clients are
            replicas.append(r)
            procs.append(r.proc)
        urls = ",".join(f"http://127.0.0.1:{p}" for p in ports)

        stop = threading.Event()
        lock = threading.Lock()
        admits, answers, unanswered, cli_codes = [], collections.Counter(), [], collections.Counter()
        accepted = {}  # event id -> when a replica first answered 202
        acceptors = collections.defaultdict(list)  # event id -> (port, time) of each 202
        kills_at = collections.defaultdict(list)  # port -> times its replica was killed
        kill_times = []

        def events():
            n = 0
            while not stop.is_set():
                n += 1
                event = create_session_event("chaos", n)
                # Every other event reaches a second replica, as a retried delivery does; the rest reach one
                # only, which may be killed before it handles them.
                for port in rng.sample(ports, 2 if n % 2 == 0 else 1):
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    try:
                        conn.request("POST", "/v1/events", body=json.dumps(event),
                                     headers={"Content-Type": "application/json"})
                        if conn.getresponse().status == 202:
                            with lock:
                                accepted.setdefault(event["detail"]["eventID"], time.monotonic())
                                acceptors[event["detail"]["eventID"]].append((port, time.monotonic()))
                    except (OSError, http.client.HTTPException):
                        pass  # that replica is down; the other may take it
                    finally:
                        conn.close()
                stop.wait(0.3)

        def client(i):
            n = 0
            while not stop.is_set():
                n += 1
                body = {"category": CATEGORIES[i % 3], "workers": 1 + i % 3, "run_id": f"chaos/{i}/{n}"}
                last = None
                # Its own replica first, then the others; three rounds, as `admit` retries for about two
                # seconds (an ask can outlive two kills: cut by one, its retry refused by the one restarting).
                for k in range(9):
                    if k and k % 3 == 0:
                        stop.wait(0.5)
                    status, detail = ask(ports[(i + k) % 3], body)
                    if status is not None:
                        break
                    last = detail
                with lock:
                    if status is None:
                        unanswered.append(f"{body['run_id']}: {last}")
                    else:
                        answers[status] += 1
                        if status == 200 and json.loads(detail)["outcome"] == "admit":
                            admits.append(json.loads(detail))
                stop.wait(0.5 + rng.random())

        def cli(i):
            n = 0
            while not stop.is_set():
                n += 1
                r = subprocess.run([a.binary, "admit", "--server", urls, "--category", CATEGORIES[i % 3],
                                    "--workers", "1", "--run-id", f"chaos/cli/{i}/{n}", "--output", "json"],
                                   env=env, capture_output=True, text=True, timeout=120)
                with lock:
                    cli_codes[r.returncode] += 1
                    if r.returncode == 1:
                        unanswered.append(f"admit exited 1: {r.stderr.strip()[:300]}")
                    elif r.returncode == 0:
                        admits.append(json.loads(r.stdout))
                stop.wait(1.0)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(a.clients)]
        threads += [threading.Thread(target=cli, args=(i,)) for i in range(3)]
        threads.append(threading.Thread(target=events))
        for t in threads:
            t.start()
        kills = 0
        deadline = time.monotonic() + a.seconds
        while time.monotonic() < deadline:
            stop.wait(a.kill_every)
            victim_index = rng.randrange(3)
            victim = replicas[victim_index]
            victim.proc.send_signal(signal.SIGKILL)
            victim.proc.wait()
            kill_times.append(time.monotonic())
            kills_at[ports[victim_index]].append(kill_times[-1])
            kills += 1
            stop.wait(2)
            victim.start()
            procs.append(victim.proc)
        stop.set()
        for t in threads:
            t.join(timeout=180)

        # Every accepted event reaches the webhook once the inboxes drain and killed replicas' claims go stale.
        def notified():  # event id -> arrival times of its notices
            times = collections.defaultdict(list)
            for n, at in zip(webhook.notifications, webhook.arrivals):
                if n.get("kind") == "session_violation" and "fields" in n:
                    times[n["fields"].get("event_id")].append(at)
            return times

        with webhook.lock:
            webhook.lock.wait_for(lambda: set(accepted) <= set(notified()), timeout=180)
            notices = notified()
        counts = {e: len(t) for e, t in notices.items()}

        # --- What must have held ---
        failures.extend(over_admissions(admits))
        for event_id in accepted:
            times = notices.get(event_id, [])
            if not times:
                failures.append(f"event {event_id} was accepted (202) but never acted on")
            elif len(times) > 2 or (len(times) == 2 and
                                    not any(times[0] <= k <= times[1] and k - times[0] <= 2 for k in kill_times)):
                failures.append(f"event {event_id} was acted on {len(times)} times")
        failures.extend(f"no replica answered: {u}" for u in unanswered[:20])
        if len(unanswered) > 20:
            failures.append(f"... and {len(unanswered) - 20} more unanswered asks")
        subnets = [s["id"] for s in json.loads(ask_get(ports[0], "/v1/subnets"))["subnets"]]
        handovers, min_gap = 0, None
        for subnet in subnets:
            seen = observations(dynalite_port, "glue-eni-observations", subnet)
            if not seen:
                failures.append(f"{subnet} was never observed")
            for (t1, o1), (t2, o2) in zip(seen, seen[1:]):
                if o1 != o2:
                    handovers += 1
                    min_gap = t2 - t1 if min_gap is None else min(min_gap, t2 - t1)
                    if t2 - t1 <= LEASE_MARGIN_MS:
                        failures.append(f"{subnet}: observed by {o1} at {t1} and by {o2} at {t2}, "
                                        f"{t2 - t1} ms apart: two pollers at once")
        for i, r in enumerate(replicas):
            if r.proc.poll() is not None:
                failures.append(f"replica {i} is not running at the end")
        twice = sum(1 for e in accepted if counts.get(e, 0) == 2)
        # Events only one replica accepted, killed within a second after: likely never handled there.
        orphaned = sum(1 for e, acc in acceptors.items()
                       if len(acc) == 1 and any(0 <= k - acc[0][1] <= 1 for k in kills_at[acc[0][0]]))
        print(f"chaos: {len(accepted)} events accepted ({twice} acted on twice, across a kill; {orphaned} "
              f"accepted by one replica killed within 1 s after), "
              f"{sum(answers.values())} asks answered ({dict(answers)}), {len(admits)} admitted, "
              f"{kills} kills, admit exit codes {dict(cli_codes)}, {handovers} lease handovers "
              f"(closest {min_gap} ms apart)")
    except Exception as e:  # a set-up failure is a failure, with its reason
        failures.append(f"{type(e).__name__}: {e}")
    finally:
        stop_all(procs)
        webhook.shutdown()
    for f in failures:
        print("FAIL:", f)
    if failures:
        print(f"logs in {wd}")
    return 1 if failures else 0


def ask_get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path)
        return conn.getresponse().read().decode()
    finally:
        conn.close()


if __name__ == "__main__":
    sys.exit(main())
