"""Throughput and memory under gunicorn: 2 sync workers on 127.0.0.1, production configuration.

The client logs in through the login form (CSRF token from /login/), then client threads request
the person list for a fixed time; completed 200 responses per second is the throughput. The load
goes on until at least ``MIN_REQUESTS`` requests were served in total, then each worker's resident
memory (VmRSS of the master's children) is read.
"""

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKERS = 2
MIN_REQUESTS = 1_000
STARTUP_TIMEOUT_S = 90
TOP_UP_TIMEOUT_S = 600
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@dataclass
class LoadResult:
    """What the clients saw: 200 answers, other answers, seconds."""

    ok: int = 0
    failed: int = 0
    seconds: float = 0.0
    failures: list = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0


@dataclass
class ServeResult:
    throughput: LoadResult
    total_requests: int
    worker_rss_mb: dict


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(database_url: str) -> dict:
    """The production configuration, with a fresh secret, over plain HTTP on localhost."""
    env = dict(os.environ)
    env.update(
        APP_ENV="prod",
        DATABASE_URL=database_url,
        STOCK_DATABASE_URL=database_url,  # bench/stock_app.py
        SECRET_KEY=secrets.token_urlsafe(48),
        SESSION_COOKIE_SECURE="0",  # plain HTTP on 127.0.0.1: the cookie must come back
    )
    return env


def start_gunicorn(database_url: str, port: int, log_path: str, app: str = "run:app") -> subprocess.Popen:
    """gunicorn serving ``app`` (the platform, or ``bench.stock_app:create_app()``) from the project root."""
    command = [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", app]
    with open(log_path, "ab") as log:
        return subprocess.Popen(  # noqa: S603 - a fixed command line, no shell
            command, cwd=ROOT, env=server_environment(database_url), stdout=log, stderr=subprocess.STDOUT
        )


def stop_gunicorn(process: subprocess.Popen) -> None:
    """Graceful stop of the master (it stops its workers), killed if it lingers."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Client:
    """A tiny HTTP client for one host: a new connection per request (sync workers close it anyway)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            headers = {"Connection": "close"}
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.msg.get_all("Set-Cookie") or ():
                name, _sep, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, dict(response.getheaders()), text
        finally:
            connection.close()

    def login(self, username: str, password: str) -> None:
        status, _headers, page = self.request("GET", "/login/")
        match = CSRF_RE.search(page)
        if status != 200 or not match:
            raise SystemExit(f"gunicorn: GET /login/ answered {status} without a csrf_token")
        form = {"username": username, "password": password, "csrf_token": match.group(1) or match.group(2)}
        status, headers, _page = self.request("POST", "/login/", urllib.parse.urlencode(form))
        if status != 302 or "/login" in headers.get("Location", ""):
            raise SystemExit(f"gunicorn: login as {username} failed ({status} → {headers.get('Location')})")


def wait_until_serving(process: subprocess.Popen, port: int, log_path: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            status, _headers, _body = Client(port).request("GET", "/login/")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.25)
    with open(log_path, encoding="utf-8", errors="replace") as log:
        tail = log.read()[-3000:]
    raise SystemExit(f"gunicorn did not start serving on port {port}; its log ends with:\n{tail}")


def hammer(client: Client, path: str, threads: int, seconds: float | None = None, requests: int | None = None):
    """Request ``path`` from ``threads`` threads until ``seconds`` pass or ``requests`` were answered."""
    result = LoadResult()
    lock = threading.Lock()
    deadline = time.monotonic() + (seconds if seconds is not None else TOP_UP_TIMEOUT_S)

    def worker():
        while time.monotonic() < deadline:
            with lock:
                if requests is not None and result.ok + result.failed >= requests:
                    return
            try:
                status, _headers, _body = client.request("GET", path)
            except OSError as error:
                status = repr(error)
            with lock:
                if status == 200:
                    result.ok += 1
                else:
                    result.failed += 1
                    if len(result.failures) < 5:
                        result.failures.append(status)

    started = time.monotonic()
    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    result.seconds = time.monotonic() - started
    return result


def child_pids(pid: int) -> list[int]:
    """The children of ``pid`` (the gunicorn workers of a master)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(child) for child in handle.read().split()]
    except OSError:
        children = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as handle:
                        if int(handle.read().rsplit(")", 1)[1].split()[1]) == pid:
                            children.append(int(entry))
                except (OSError, IndexError, ValueError):
                    continue
        return children


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def measure_under_gunicorn(
    database_url: str,
    path: str,
    expect: str,
    seconds: float,
    threads: int,
    login: tuple[str, str],
    app: str = "run:app",
) -> ServeResult:
    """Throughput of ``path`` for ``seconds``, then each worker's RSS after ≥ MIN_REQUESTS requests.

    ``expect`` is a piece of text the page must contain (proof that the session is logged in)."""
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="perf-gunicorn-")
    log_path = os.path.join(workdir, "gunicorn.log")
    process = start_gunicorn(database_url, port, log_path, app)
    try:
        wait_until_serving(process, port, log_path)
        client = Client(port)
        client.login(*login)
        status, _headers, body = client.request("GET", path)
        if status != 200 or expect not in body:
            raise SystemExit(f"gunicorn: GET {path} answered {status} after login, without {expect!r}")
        throughput = hammer(client, path, threads, seconds=seconds)
        total = throughput.ok + throughput.failed + 1
        if total < MIN_REQUESTS:
            more = hammer(client, path, threads, requests=MIN_REQUESTS - total)
            total += more.ok + more.failed
        workers = {pid: round(rss_mb(pid), 1) for pid in child_pids(process.pid)}
        return ServeResult(throughput, total, workers)
    finally:
        stop_gunicorn(process)
        shutil.rmtree(workdir, ignore_errors=True)
