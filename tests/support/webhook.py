"""A webhook that collects the notifications glueguard sends (notify.webhook_url)."""
import http.server
import json
import threading
import time


class Webhook(http.server.ThreadingHTTPServer):
    """Collects the notifications serve sends."""

    daemon_threads = True

    def __init__(self):
        self.notifications = []
        self.arrivals = []  # time.monotonic() of each notification, in the same order
        self.lock = threading.Condition()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with outer.lock:
                    outer.notifications.append(json.loads(body))
                    outer.arrivals.append(time.monotonic())
                    outer.lock.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
