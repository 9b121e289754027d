"""What the Python system tests share: a glueguard process started and watched until it says it is ready."""
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


def stop_all(procs, grace=20):
    """SIGTERM to each process still running, SIGKILL to one that has not exited `grace` seconds later."""
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(grace)
            except subprocess.TimeoutExpired:
                p.kill()
