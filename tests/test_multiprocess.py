"""Two application processes (gunicorn, production configuration) serving one PostgreSQL database
with their rate-limit counters in Redis: a sign-in on one is valid on the other, the sign-in rate
limit counts the attempts made on both, and concurrent edits through different processes still get
the stale-edit conflict."""

import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

pytestmark = pytest.mark.skipif(
    os.environ.get("TEST_DATABASE") != "postgresql", reason="two processes need PostgreSQL: tested in its pass"
)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "demo-Pass-2026"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ATTEMPTS_PER_MINUTE = 4
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database() -> str:
    """A database of its own on the test server, migrated, with the demo data."""
    server = make_url(os.environ["TEST_DATABASE_URL"])
    name = "platform_multiprocess"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = server.set(database=name).render_as_string(hide_password=False)
    env = {**os.environ, "DATABASE_URL": url, "APP_ENV": "dev", "FLASK_APP": "run.py"}
    for command in (["db", "upgrade"], ["seed-demo"]):
        done = subprocess.run(  # noqa: S603 - this interpreter running the project's own commands
            [sys.executable, "-m", "flask", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stdout + done.stderr
    return url


def wait_until_serving(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn stopped while starting"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5) as response:  # noqa: S310 - our server
                if response.status == 200:
                    return
        except OSError:  # refused, reset or timed out while the worker boots
            time.sleep(0.3)
    raise AssertionError(f"nothing answers on port {port}")


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Two gunicorn masters (one worker each) with the same secret, database and Redis."""
    url = fresh_database()
    env = {
        **os.environ,
        "APP_ENV": "prod",
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "SESSION_COOKIE_SECURE": "0",  # plain HTTP on 127.0.0.1
        "REDIS_URL": REDIS_URL,
        "LOGIN_RATE_LIMIT": f"{ATTEMPTS_PER_MINUTE} per minute",
    }
    log = tmp_path_factory.mktemp("gunicorn") / "servers.log"
    ports, processes = [free_port(), free_port()], []
    with open(log, "ab") as output:
        for port in ports:
            command = [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}", "run:app"]
            processes.append(
                subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
            )
    try:
        for port, process in zip(ports, processes, strict=True):
            wait_until_serving(port, process)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(autouse=True)
def fresh_counters():
    """Each test starts with no sign-in attempts counted (only this test database's Redis keys)."""
    store = redis.Redis.from_url(REDIS_URL)
    for key in store.scan_iter("*platform*"):
        store.delete(key)
    yield
    store.close()


def call(url: str, method: str = "GET", data=None, headers=None, opener=None) -> tuple[int, str]:
    body = None
    headers = dict(headers or {})
    if isinstance(data, dict) and headers.get("Content-Type") == "application/json":
        body = json.dumps(data).encode()
    elif data is not None:
        body = urllib.parse.urlencode(data).encode()
    request = urllib.request.Request(url, data=body, method=method, headers=headers)  # noqa: S310 - our server
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def api_login(base: str, username: str, password: str = PASSWORD) -> tuple[int, dict]:
    status, body = call(
        f"{base}/api/v1/security/login",
        "POST",
        {"username": username, "password": password, "provider": "db", "refresh": False},
        {"Content-Type": "application/json"},
    )
    return status, json.loads(body) if body.startswith("{") else {}


def test_a_sign_in_on_one_process_is_valid_on_the_other(servers):
    first, second = servers
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    status, page = call(f"{first}/login/", opener=browser)
    token = next(group for group in CSRF.search(page).groups() if group)
    status, page = call(
        f"{first}/login/", "POST", {"username": "staff", "password": PASSWORD, "csrf_token": token}, opener=browser
    )
    assert status == 200 and "dashboard-panel" in page  # signed in, redirected to the dashboard
    status, page = call(f"{second}/personview/list/", opener=browser)
    assert status == 200 and "/personview/show/" in page and 'name="password"' not in page
    status, page = call(f"{second}/personview/list/")  # without the cookie: the sign-in page
    assert 'name="password"' in page


def test_the_sign_in_rate_limit_counts_attempts_on_both_processes(servers):
    first, second = servers
    answers = [api_login(servers[attempt % 2], "nobody-at-all", "wrong-password-1")[0] for attempt in range(6)]
    assert answers[:ATTEMPTS_PER_MINUTE] == [401] * ATTEMPTS_PER_MINUTE
    assert answers[ATTEMPTS_PER_MINUTE:] == [429, 429]  # each process alone saw only half of the attempts
    assert api_login(second, "staff")[0] == 429 and api_login(first, "staff")[0] == 429


def test_concurrent_edits_through_different_processes_get_the_conflict(servers):
    first, second = servers
    headers = {}
    for base in servers:
        status, body = api_login(base, "staff")
        assert status == 200, body
        headers[base] = {"Authorization": f"Bearer {body['access_token']}", "Content-Type": "application/json"}
    query = urllib.parse.quote("(filters:!((col:name,opr:eq,value:王伟)))")
    status, body = call(f"{first}/api/v1/person/?q={query}", headers=headers[first])
    assert status == 200, body
    person = json.loads(body)["result"][0]
    pk = json.loads(body)["ids"][0]
    version = person["version"]
    status, body = call(
        f"{first}/api/v1/person/{pk}", "PUT", {"position": "第一个进程", "version": version}, headers[first]
    )
    assert status == 200, body
    status, body = call(
        f"{second}/api/v1/person/{pk}", "PUT", {"position": "第二个进程", "version": version}, headers[second]
    )
    assert status == 409, body
    assert json.loads(body)["current_version"] == version + 1
    status, body = call(f"{second}/api/v1/person/{pk}", headers=headers[second])
    assert json.loads(body)["result"]["position"] == "第一个进程"
