"""Shared helpers for browser tests: Debian's Chromium through Playwright, servers on 127.0.0.1."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SQOLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serve a folder over HTTP on 127.0.0.1; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _Server(http.server.ThreadingHTTPServer):
    # Chromium opens many connections at once; the default backlog of 5 makes a loaded machine
    # drop some and retry them a second later (slow, and a race with the test's navigation)
    request_queue_size = 128


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def background_server(command: list[str], url: str, timeout: float = 90, **popen) -> Iterator[str]:
    """Start a server process, wait until ``url`` answers, stop it afterwards.

    The server's output goes to a temporary file (a pipe nobody reads would fill up and freeze a
    chatty server); it is shown if the server dies before it answers.
    """
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, **popen)
        try:
            deadline = time.monotonic() + timeout
            while True:
                if process.poll() is not None:
                    log.seek(0)
                    output = log.read().decode(errors="replace")
                    raise RuntimeError(
                        f"server exited early ({process.returncode}):\n{output[-3000:]}"
                    )
                try:
                    with urllib.request.urlopen(url, timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{url} did not answer within {timeout} s") from None
                    time.sleep(0.5)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


# Chromium cancels a page's requests still in flight (typically the favicon, requested after the
# load event) when the next navigation starts: that is "net::ERR_ABORTED", not a failure of the
# server, and whether it happens depends only on timing. RequestLog never counts it as a failure;
# served() fetches every requested address again, so a missing file is caught whether Chromium
# finished its request or not.
NAVIGATION_ABORT = "net::ERR_ABORTED"


@dataclass
class RequestLog:
    """The requests a page made to the local server, and those that really failed."""

    is_local: Callable[[str], bool]
    requested: set[str] = field(default_factory=set)
    failed: list[str] = field(default_factory=list)

    def watch(self, page) -> None:
        """Record the page's requests (call before the first navigation)."""
        page.on("request", self._request)
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _request(self, request) -> None:
        if self.is_local(request.url) and request.url.startswith("http"):
            self.requested.add(request.url.split("#", 1)[0])

    def _failed(self, request) -> None:
        if self.is_local(request.url) and request.failure != NAVIGATION_ABORT:
            self.failed.append(f"request failed ({request.failure}): {request.url}")

    def _response(self, response) -> None:
        if self.is_local(response.url) and response.status >= 400:
            self.failed.append(f"HTTP {response.status}: {response.url}")

    def not_served(self) -> list[str]:
        """Every requested address that the server does not answer with 200, fetched again."""
        problems = []
        for url in sorted(self.requested):
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            if status != 200:
                problems.append(f"HTTP {status}: {url}")
        return problems


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through Playwright (skipped only where Chromium is missing)."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}: .ci/run installs it with apt-get")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
