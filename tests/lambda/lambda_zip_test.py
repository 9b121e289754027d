#!/usr/bin/env python3
"""The Lambda package (scripts/lambda-zip) as AWS runs it on provided.al2023.

Builds the zip from --binary and checks:
  - its layout: `bootstrap` at the top, executable, a sh script that starts bin/glueguard through the bundled
    loader; bin/glueguard; lib/ with the loader and libc;
  - that it needs nothing from the host: the bundled loader resolves every library inside lib/, and every
    GLIBC_* symbol version any ELF in the package asks for (objdump -T) is defined by the bundled glibc. The
    highest glibc version glueguard's own code asks for stays at most 2.34 (Amazon Linux 2023's), so the
    binary alone would still run there if the toolchain's libraries ever stop needing a newer one;
  - a run as Lambda runs it: `glueguard simcloud` (from --binary) stands in for AWS, the AWS CLI creates two
    interactive sessions there (50 workers, and a compliant 2), simcloud posts their CloudTrail events to a
    Lambda Runtime API stand-in served here, and the unpacked `bootstrap` is started from an empty
    environment plus only what Lambda sets and the function's own variables from
    deploy/cloudformation/glueguard-sessions-lambda.yaml. The 50-worker session must be answered as a
    violation that ended it, and be gone from simcloud, with the notification on the function's topic; the
    compliant one answered as compliant and left alone; nothing posted to /error or /init/error. When the
    stand-in stops answering, the runtime exits, as Lambda expects of a custom runtime.
Prints the cold start (spawning bootstrap to its first GET .../invocation/next) of that run and of five more
starts; it is measured, never asserted. Exit 0 when all held, otherwise one line per failure.
Usage: lambda_zip_test.py --binary build/glueguard [--source-dir .]
"""
import argparse
import http.server
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'support'))
from glueguard_process import Proc, stop_all  # noqa: E402

KEY, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
ACCOUNT, REGION = "123456789012", "us-east-1"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:glueguard-sessions"
RUNTIME = "/2018-06-01/runtime"
WAIT = 180  # the most any one step is waited for, in seconds; a bound, not a measure


class RuntimeApi(http.server.ThreadingHTTPServer):
    """The Lambda Runtime API, as far as a custom runtime sees it, plus POST /cloudtrail where simcloud
    delivers its CloudTrail events (an EventBridge target). GET .../invocation/next hands out the queued
    events one at a time and blocks while there are none; once `close()` is called it answers by closing the
    connection, as a sandbox being torn down would. Thread-safe."""

    daemon_threads = True

    def __init__(self):
        self.cond = threading.Condition()
        self.queue = []  # event bodies not yet handed out
        self.events = 0  # CloudTrail events received
        self.invocations = {}  # request id -> session id of its event
        self.answers = {}  # request id -> (response | error, body)
        self.init_errors = []
        self.unexpected = []
        self.next_calls = []  # time.monotonic() of every GET .../invocation/next
        self.closing = False
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def reply(self, status, body=b""):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path != RUNTIME + "/invocation/next":
                    outer.note(f"GET {self.path}")
                    return self.reply(404)
                with outer.cond:
                    outer.next_calls.append(time.monotonic())
                    outer.cond.notify_all()
                    outer.cond.wait_for(lambda: outer.queue or outer.closing, timeout=WAIT)
                    if not outer.queue:
                        self.close_connection = True  # no answer at all: the runtime's GET fails
                        return
                    body = outer.queue.pop(0)
                    request_id = f"req-{len(outer.invocations) + 1}"
                    outer.invocations[request_id] = json.loads(body)["detail"]["requestParameters"]["id"]
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Lambda-Runtime-Aws-Request-Id", request_id)
                self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 60_000))
                self.send_header("Lambda-Runtime-Invoked-Function-Arn",
                                 f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:glueguard-sessions")
                self.send_header("Lambda-Runtime-Trace-Id",
                                 "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1")
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                m = re.fullmatch(RUNTIME + r"/invocation/([^/]+)/(response|error)", self.path)
                with outer.cond:
                    if self.path == "/cloudtrail":
                        outer.queue.append(body)
                        outer.events += 1
                    elif m:
                        outer.answers[m.group(1)] = (m.group(2), body)
                    elif self.path == RUNTIME + "/init/error":
                        outer.init_errors.append(body)
                    else:
                        outer.unexpected.append(f"POST {self.path}")
                    outer.cond.notify_all()
                self.reply(200 if self.path == "/cloudtrail" else 202, b'{"status":"OK"}')

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    def note(self, what):
        with self.cond:
            self.unexpected.append(what)

    def close(self):
        with self.cond:
            self.closing = True
            self.cond.notify_all()

    def wait_for(self, predicate, timeout=WAIT):
        """Waits until predicate(self) holds (it may also look at processes: it is asked again every 50 ms)."""
        end = time.monotonic() + timeout
        with self.cond:
            while not predicate(self):
                if time.monotonic() >= end:
                    return False
                self.cond.wait(0.05)
            return True


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def dynamic_symbols(path):
    """(undefined, defined): sets of (name, version) from `objdump -T`, versions without parentheses."""
    out = subprocess.run(["objdump", "-T", path], capture_output=True, text=True, check=True, timeout=60).stdout
    undefined, defined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        section = next((i for i, p in enumerate(parts[1:], 1) if p.startswith(("*UND*", "*ABS*", "."))), None)
        if section is None or not re.fullmatch(r"[0-9a-f]{8,}", parts[0]) or len(parts) < section + 3:
            continue
        rest = parts[section + 2:]
        version = rest[0].strip("()") if len(rest) == 2 else ""
        (undefined if parts[section] == "*UND*" else defined).add((rest[-1], version))
    return undefined, defined


def glibc_version(version):
    m = re.fullmatch(r"GLIBC_(\d+)\.(\d+)(?:\.(\d+))?", version)
    return tuple(int(g or 0) for g in m.groups()) if m else None


def check_package(zip_path, task, failures):
    """The zip's layout and its independence from the host's libraries. Returns the loader's file name."""
    with zipfile.ZipFile(zip_path) as z:
        infos = {i.filename: i for i in z.infolist()}
    boot = infos.get("bootstrap")
    if boot is None:
        failures.append(f"no bootstrap at the zip's top level: {sorted(infos)[:10]}")
    elif (boot.external_attr >> 16) & 0o111 != 0o111:
        failures.append(f"bootstrap is not executable in the zip (mode {oct(boot.external_attr >> 16)})")
    if "bin/glueguard" not in infos:
        failures.append("no bin/glueguard in the zip")
    loaders = [n for n in infos if re.fullmatch(r"lib/ld-linux[^/]*\.so\.\d+", n)]
    if len(loaders) != 1:
        failures.append(f"lib/ should hold one loader, holds {loaders}")
        return None
    loader = loaders[0][len("lib/"):]
    if "lib/libc.so.6" not in infos:
        failures.append("no lib/libc.so.6 in the zip")

    subprocess.run(["unzip", "-q", zip_path, "-d", task], check=True, timeout=120)
    script = open(os.path.join(task, "bootstrap"), errors="replace").read()
    if not script.startswith("#!/bin/sh\n"):
        failures.append("bootstrap is not a /bin/sh script")
    if "bin/glueguard" not in script or f"lib/{loader}" not in script:
        failures.append(f"bootstrap does not start bin/glueguard through lib/{loader}")
    if not os.access(os.path.join(task, "bootstrap"), os.X_OK):
        failures.append("bootstrap is not executable once unzipped")
    interp = subprocess.run(["readelf", "-l", os.path.join(task, "bin/glueguard")], capture_output=True,
                            text=True, check=True, timeout=60).stdout
    m = re.search(r"\[Requesting program interpreter: (.*)\]", interp)
    if not m or os.path.basename(m.group(1)) != loader:
        failures.append(f"bin/glueguard asks for {m.group(1) if m else 'no interpreter'}, the zip holds {loader}")

    # Every library, as the bundled loader resolves it, comes from lib/.
    listed = subprocess.run([f"lib/{loader}", "--library-path", "lib", "--list", "bin/glueguard"], cwd=task,
                            env={}, capture_output=True, text=True, timeout=60)
    if listed.returncode != 0:
        failures.append(f"the bundled loader could not list bin/glueguard: {listed.stderr.strip()[:300]}")
    lib_dir = os.path.realpath(os.path.join(task, "lib"))
    resolved = 0
    for line in listed.stdout.splitlines():
        if "=>" not in line:
            continue  # linux-vdso.so.1: the kernel's
        name, target = (s.strip() for s in line.split("=>", 1))
        target = target.split(" (")[0]
        if target == "not found":
            failures.append(f"{name}: not found by the bundled loader")
        elif os.path.dirname(os.path.realpath(os.path.join(task, target))) != lib_dir:
            failures.append(f"{name} resolves to {target}, outside the package")
        else:
            resolved += 1

    # Every GLIBC_* version asked for is defined inside the package.
    needed, defined = {}, set()
    elves = [os.path.join(d, f) for d in ("bin", "lib") for f in sorted(os.listdir(os.path.join(task, d)))]
    for rel in elves:
        path = os.path.join(task, rel)
        if not is_elf(path):
            failures.append(f"{rel} is not an ELF file")
            continue
        undefined, defs = dynamic_symbols(path)
        needed[rel] = {(s, v) for s, v in undefined if v.startswith("GLIBC_")}
        if rel.startswith("lib/"):
            defined |= {(s, v) for s, v in defs if v.startswith("GLIBC_")}
    for rel, wanted in needed.items():
        for symbol, version in sorted(wanted - defined):
            failures.append(f"{rel} needs {symbol}@{version}, which no library in the package defines")

    def highest(rel):
        versions = [glibc_version(v) for _, v in needed.get(rel, ())]
        return max((v for v in versions if v), default=(0, 0, 0))

    def fmt(v):
        return "GLIBC_" + ".".join(str(x) for x in (v if v[2] else v[:2]))

    own = highest("bin/glueguard")
    glibc = {rel for rel in needed if any(v.startswith("GLIBC_2") for _, v in dynamic_symbols(
        os.path.join(task, rel))[1])}
    newer = sorted(f"{os.path.basename(r)} {fmt(highest(r))}" for r in needed
                   if r != "bin/glueguard" and r not in glibc and highest(r) > (2, 34, 0))
    print(f"package: {len(infos)} entries, {resolved} libraries resolved inside lib/ by {loader}; "
          f"bin/glueguard needs at most {fmt(own)}; other libraries beyond 2.34: {', '.join(newer) or 'none'}")
    if own > (2, 34, 0):
        failures.append(f"bin/glueguard itself needs {fmt(own)}, newer than Amazon Linux 2023's GLIBC_2.34")
    return loader


def lambda_env(task, runtime_port, sim_port):
    """What Lambda sets for a provided.al2023 function (LAMBDA_TASK_ROOT is /var/task there), plus the
    function's own variables from the CloudFormation template."""
    return {
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{runtime_port}",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY": KEY,
        "AWS_ACCESS_KEY_ID": KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET,
        # Lambda's role credentials always carry a token; simcloud's test key is a long-term key, without one.
        "AWS_SESSION_TOKEN": "",
        "AWS_LAMBDA_FUNCTION_NAME": "glueguard-sessions",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/glueguard-sessions",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/01/05/[$LATEST]0123456789abcdef0123456789abcdef",
        "LAMBDA_TASK_ROOT": task,
        "LAMBDA_RUNTIME_DIR": "/var/runtime",
        "_HANDLER": "bootstrap",
        "PATH": "/usr/local/bin:/usr/bin/:/bin:/opt/bin",
        # On Amazon Linux /lib64 holds the host's glibc, found first by /bin/sh; the package's own lib/ is
        # passed to its loader with --library-path, which replaces this variable for glueguard.
        "LD_LIBRARY_PATH": ":".join(["/var/lang/lib", "/lib64", "/usr/lib64", "/var/runtime", "/var/runtime/lib",
                                     task, f"{task}/lib", "/opt/lib"]),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        # The function's variables (deploy/cloudformation/glueguard-sessions-lambda.yaml, PolicyAction=enforce).
        "KILL_SESSION": "true",
        "MAX_WORKERS": "10",
        "MAX_IDLE_TIMEOUT_MINUTES": "60",
        "ENFORCE_VPC_CONNECTION": "true",
        "GLUEGUARD_SNS_TOPIC_ARN": TOPIC,
        # The one addition Lambda would not make: AWS is simcloud here.
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{sim_port}",
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--source-dir", default=".")
    ap.add_argument("--extra-starts", type=int, default=5, help="starts measured after the run, no event given")
    a = ap.parse_args()
    binary = os.path.abspath(a.binary)
    source = os.path.abspath(a.source_dir)
    wd = tempfile.mkdtemp(prefix="glueguard-lambda-")
    task = os.path.join(wd, "task")
    failures = []
    procs = []
    api = RuntimeApi()
    threading.Thread(target=api.serve_forever, daemon=True).start()
    try:
        # --- The package ---
        zip_path = os.path.join(wd, "glueguard-lambda.zip")
        built = subprocess.run([os.path.join(source, "scripts/lambda-zip"), binary, zip_path], capture_output=True,
                               text=True, timeout=300)
        if built.returncode != 0:
            failures.append(f"scripts/lambda-zip failed: {built.stderr.strip()[-500:]}")
            return 1
        print(built.stdout.strip())
        loader = check_package(zip_path, task, failures)
        if loader is None:
            return 1

        # --- AWS: simcloud, its CloudTrail events posted to the Runtime API stand-in ---
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "GLUEGUARD_", "CURL_"))}
        # At 60 simulated seconds a second, a session's 30-90 s of PROVISIONING take a second or two.
        sim = Proc([binary, "simcloud", os.path.join(source, "examples/workloads/seed-after.yaml"), "--listen",
                    "127.0.0.1:0", "--no-arrivals", "--speed", "60", "--sns-topic", TOPIC, "--events-url",
                    f"http://127.0.0.1:{api.server_address[1]}/cloudtrail"],
                   f"{wd}/simcloud.log", env, r"serving .* at http://127\.0\.0\.1:(\d+)")
        sim_port = int(sim.start().group(1))
        procs.append(sim.proc)
        endpoint = f"http://127.0.0.1:{sim_port}"
        cli_env = dict(env, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET, AWS_DEFAULT_REGION=REGION,
                       AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null",
                       AWS_EC2_METADATA_DISABLED="true", AWS_PAGER="")

        def aws(*args):
            return subprocess.run(["/usr/bin/aws", *args, "--endpoint-url", endpoint, "--output", "json"],
                                  env=cli_env, capture_output=True, text=True, timeout=120)

        def create_session(session_id, workers, connection):
            r = aws("glue", "create-session", "--id", session_id, "--role",
                    f"arn:aws:iam::{ACCOUNT}:role/GlueNotebook", "--command", "Name=glueetl,PythonVersion=3",
                    "--worker-type", "G.1X", "--number-of-workers", str(workers), "--idle-timeout", "30",
                    "--glue-version", "4.0", "--connections", f"Connections={connection}")
            if r.returncode != 0:
                raise RuntimeError(f"create-session {session_id}: {r.stderr.strip()}")

        big, small = "notebook-50-workers", "notebook-2-workers"
        create_session(big, 50, "glue-vpc-critical")
        create_session(small, 2, "glue-vpc-batch")
        if not api.wait_for(lambda s: s.events >= 2):
            failures.append(f"simcloud posted {api.events} CloudTrail events, not 2")
            return 1

        # --- The package, started as Lambda starts it ---
        boot_log = open(f"{wd}/bootstrap.log", "ab")

        def spawn():
            return subprocess.Popen([os.path.join(task, "bootstrap")], cwd=task, stdout=boot_log,
                                    stderr=subprocess.STDOUT, env=lambda_env(task, api.server_address[1], sim_port))

        def started(t0, proc):
            """Seconds from t0 to the first GET .../invocation/next after it, or None if proc ended first."""
            api.wait_for(lambda s: any(t >= t0 for t in s.next_calls) or proc.poll() is not None)
            with api.cond:
                return next((t - t0 for t in api.next_calls if t >= t0), None)

        t0 = time.monotonic()
        runtime = spawn()
        procs.append(runtime)
        first_start = started(t0, runtime)
        if first_start is None:
            failures.append(f"bootstrap exited ({runtime.returncode}) before asking for an invocation")
            return 1
        api.wait_for(lambda s: len(s.answers) >= 2 or s.init_errors or runtime.poll() is not None)
        api.close()  # the next GET is not answered: the runtime must exit
        try:
            runtime.wait(WAIT)
        except subprocess.TimeoutExpired:
            failures.append("the runtime did not exit once the Runtime API stopped answering")

        # --- What must have held ---
        by_session = {sid: api.answers.get(rid) for rid, sid in api.invocations.items()}
        for session_id, expect in ((big, {"outcome": "violation", "ended": True, "notified": True,
                                          "violations": ["max_workers"]}),
                                   (small, {"outcome": "compliant", "ended": False})):
            answer = by_session.get(session_id)
            if answer is None:
                failures.append(f"{session_id}: not answered (invocations {api.invocations})")
                continue
            kind, body = answer
            if kind != "response":
                failures.append(f"{session_id}: answered on /{kind}: {body[:300]!r}")
                continue
            got = json.loads(body)
            for key, value in expect.items():
                if got.get(key) != value:
                    failures.append(f"{session_id}: {key} is {got.get(key)!r}, expected {value!r} ({got})")
        if api.init_errors:
            failures.append(f"/init/error was posted: {api.init_errors[0][:300]!r}")
        if api.unexpected:
            failures.append(f"unexpected Runtime API calls: {api.unexpected[:5]}")

        gone = aws("glue", "get-session", "--id", big)
        if gone.returncode == 0 or "EntityNotFoundException" not in gone.stderr:
            failures.append(f"{big} is still in simcloud: {(gone.stdout or gone.stderr).strip()[:300]}")
        kept = aws("glue", "get-session", "--id", small)
        status = json.loads(kept.stdout)["Session"]["Status"] if kept.returncode == 0 else kept.stderr.strip()
        if status not in ("PROVISIONING", "READY"):
            failures.append(f"{small} was touched: {status}")
        with urllib.request.urlopen(f"{endpoint}/_simcloud/sns", timeout=60) as r:
            published = r.read().decode()
        if big not in published or TOPIC not in published:
            failures.append(f"no notification about {big} on {TOPIC}: {published[:300]}")

        # --- Cold starts: fresh processes, each told to stop at its first GET ---
        extra = []
        for _ in range(a.extra_starts):
            t0 = time.monotonic()
            p = spawn()
            procs.append(p)
            took = started(t0, p)
            try:
                p.wait(WAIT)
            except subprocess.TimeoutExpired:
                failures.append("a runtime did not exit when its first GET .../invocation/next failed")
            if took is None:
                failures.append(f"bootstrap exited ({p.returncode}) before asking for an invocation")
            else:
                extra.append(took)

        def ms(seconds):
            return f"{seconds * 1000:.0f} ms"

        line = f"cold start (spawning bootstrap to its first GET .../invocation/next): {ms(first_start)}"
        if extra:
            line += (f"; {len(extra)} more starts: min {ms(min(extra))}, median {ms(statistics.median(extra))}, "
                     f"max {ms(max(extra))}")
        print(line)
        print(f"lambda: {len(api.answers)} invocations answered, runtime exit {runtime.returncode}; "
              f"{len(failures)} failures")
        return 0 if not failures else 1
    except (RuntimeError, subprocess.SubprocessError, OSError) as e:
        failures.append(str(e))
        return 1
    finally:
        stop_all(procs)
        api.shutdown()
        for f in failures[:50]:
            print("FAIL " + f)
        if not failures:
            shutil.rmtree(wd, ignore_errors=True)
        else:
            print(f"lambda: logs in {wd}")


if __name__ == "__main__":
    sys.exit(main())
