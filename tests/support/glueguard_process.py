"""What the Python system tests share: a glueguard process started and watched until it says it is ready."""
import json
import os
import re
import signal
import subprocess
import threading


class Proc:
    """A process (glueguard, or a peer such as dynalite) whose output is copied to a log; ready once a line
    matches `ready` (a regex). It runs in `cwd` when given."""

    def __init__(self, args, log, env, ready, cwd=None):
        self.args, self.log, self.env, self.ready, self.cwd = args, log, env, re.compile(ready), cwd
        self.proc = None
        self.match = None

    def start(self, timeout=120):
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=self.env,
                                     cwd=self.cwd)
        seen = threading.Event()

        def copy(out, log):
            with open(log, "ab") as f:
                for line in out:
                    f.write(line)
                    f.flush()
                    m = self.ready.search(line.decode(errors="replace"))
                    if m and not seen.is_set():
                        self.match = m
                        seen.set()

        threading.Thread(target=copy, args=(self.proc.stdout, self.log), daemon=True).start()
        if not seen.wait(timeout):
            raise RuntimeError(f"{self.args[1]} did not start: " + open(self.log, errors="replace").read()[-2000:])
        return self.match


KEY, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def start_simcloud(binary, source_dir, log, env, faults):
    """`glueguard simcloud` on the seed's "after" workload, with no arrivals of its own and `faults` (a dict)
    injected, on a free port. Returns the process and the environment a glueguard process needs to use it: `env`
    with simcloud's test key, region us-east-1 and no AWS config files or instance metadata."""
    sim = Proc([binary, "simcloud", os.path.join(source_dir, "examples/workloads/seed-after.yaml"),
                "--listen", "127.0.0.1:0", "--no-arrivals", "--faults", json.dumps(faults)],
               log, env, r"serving .* at http://127\.0\.0\.1:(\d+)")
    port = int(sim.start().group(1))
    aws_env = dict(env, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION="us-east-1",
                   AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}", AWS_EC2_METADATA_DISABLED="true",
                   AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    return sim.proc, aws_env


def stop_all(procs, grace=20):
    """SIGTERM to each process still running, SIGKILL to one that has not exited `grace` seconds later."""
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(grace)
            except subprocess.TimeoutExpired:
                p.kill()
