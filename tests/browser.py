"""Headless Chromium for tests, driven over the DevTools protocol: start it, talk to its page, always stop it.

Every wait has a deadline, so a test fails with a message instead of hanging.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import websocket

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  # containers give /dev/shm 64 MB; Chromium then crashes on large pages unless it uses /tmp
                  "--disable-dev-shm-usage")
TIMEOUT = 30.0  # seconds for any one wait: starting, a command's answer, an event


class BrowserError(AssertionError):
    """Chromium did not start, answer or behave in time; the message says what it was doing."""


class Page:
    """One DevTools session on a page: `send` a command, collect every event the page reports."""

    def __init__(self, socket: websocket.WebSocket):
        self.socket = socket
        self.events: list[dict] = []
        self.next_id = 0

    def send(self, method: str, timeout: float = TIMEOUT, **params) -> dict:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        message = self.receive_until(lambda m: m.get("id") == self.next_id, timeout, f"an answer to {method}")
        if "error" in message:
            raise BrowserError(f"{method} failed: {message['error']}")
        return message["result"]

    def wait_for(self, event: str, timeout: float = TIMEOUT) -> dict:
        for seen in self.events:
            if seen["method"] == event:
                return seen
        return self.receive_until(lambda m: m.get("method") == event, timeout, f"the event {event}")

    def receive_until(self, wanted, timeout: float, what: str) -> dict:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            self.socket.settimeout(left)
            try:
                message = json.loads(self.socket.recv())
            except websocket.WebSocketTimeoutException:
                break
            except (websocket.WebSocketException, OSError) as error:
                raise BrowserError(f"Chromium closed the connection while waiting for {what}") from error
            if "method" in message:
                self.events.append(message)
            if wanted(message):
                return message
        raise BrowserError(f"Chromium gave no {what} within {timeout:.0f} s")

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise BrowserError(f"JavaScript failed: {details.get('exception', {}).get('description', details)}")
        return result["result"].get("value")

    def open(self, url: str) -> None:
        """Load `url` afresh, with the events of earlier pages forgotten, and wait for its load event."""
        self.events.clear()  # else wait_for would find the last page's load event
        self.send("Page.navigate", url="about:blank")
        self.wait_for("Page.loadEventFired")
        self.events.clear()
        answer = self.send("Page.navigate", url=url)
        if answer.get("errorText"):
            raise BrowserError(f"could not open {url}: {answer['errorText']}")
        self.wait_for("Page.loadEventFired")
        self.evaluate("document.fonts.ready.then(() => true)")


class Chromium:
    """A headless Chromium process with its own profile in `profile_dir`; use as a context manager."""

    def __init__(self, executable: str, profile_dir: Path):
        self.executable, self.profile_dir = executable, Path(profile_dir)
        self.process: subprocess.Popen | None = None
        self.page: Page | None = None

    def __enter__(self) -> Page:
        self.profile_dir.mkdir(parents=True, exist_ok=True)
        (self.profile_dir / "DevToolsActivePort").unlink(missing_ok=True)  # a reused profile's port is stale
        self.log = self.profile_dir.with_name(self.profile_dir.name + "-stderr.txt")
        with open(self.log, "wb") as log:  # a file, not a pipe: a full pipe would block Chromium
            self.process = subprocess.Popen(
                [self.executable, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile_dir}",
                 "--remote-debugging-port=0", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)  # its own process group, so stopping it stops its renderers too
        try:
            port = self.wait_for_port()
            # no Origin header: Chromium refuses DevTools connections from origins it was not told to allow
            self.page = Page(websocket.create_connection(self.page_socket_url(port), timeout=TIMEOUT,
                                                         suppress_origin=True))
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.page.send(f"{domain}.enable")
        except BaseException:
            self.stop()
            raise
        return self.page

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def wait_for_port(self) -> int:
        active_port = self.profile_dir / "DevToolsActivePort"
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.log.read_text(errors="replace")[-2000:]
                raise BrowserError(f"Chromium exited with code {self.process.returncode}: {output}")
            if active_port.exists() and (lines := active_port.read_text().splitlines()) and lines[0].isdigit():
                return int(lines[0])
            time.sleep(0.05)
        raise BrowserError(f"Chromium wrote no {active_port} within {TIMEOUT:.0f} s")

    @staticmethod
    def page_socket_url(port: int) -> str:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=TIMEOUT) as answer:
                    targets = json.load(answer)
            except OSError:  # not listening yet
                targets = []
            pages = [target["webSocketDebuggerUrl"] for target in targets if target["type"] == "page"]
            if pages:
                return pages[0]
            time.sleep(0.05)
        raise BrowserError(f"Chromium on port {port} showed no page within {TIMEOUT:.0f} s")

    def stop(self) -> None:
        if self.page is not None:
            self.page.socket.close()
            self.page = None
        if self.process is None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):  # the whole group: renderers may outlive the browser
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                continue
        self.process = None
