"""Security of `watcher serve`, one test per promise: loopback by default, hashed secrets, login,
signed cookies, CSRF, headers, size limits, login rate limit, secrets never shown."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.web.conftest import PASSWORD, STALLED, TOKEN, hashes
from watcher.cli.main import main
from watcher.domain.errors import ConfigError
from watcher.web.security import (
    CSP,
    LoginLimiter,
    hash_secret,
    is_loopback,
    parse_listen,
    require_protection,
    verify_secret,
)


def test_hashes_verify_only_their_secret() -> None:
    stored = hashes()["password"]
    assert stored.startswith("scrypt$16384$8$1$")
    assert PASSWORD not in stored
    assert verify_secret(PASSWORD, stored)
    assert not verify_secret(PASSWORD + "x", stored)
    assert not verify_secret(PASSWORD, "not-a-hash")
    # pbkdf2 hashes (from other tools) are accepted too.
    import base64
    import hashlib

    salt = b"0123456789abcdef"
    digest = hashlib.pbkdf2_hmac("sha256", b"pw-12345", salt, 1000)
    b64 = lambda data: base64.urlsafe_b64encode(data).decode().rstrip("=")
    assert verify_secret("pw-12345", f"pbkdf2_sha256$1000${b64(salt)}${b64(digest)}")
    assert hash_secret("same", salt=salt) == hash_secret("same", salt=salt)


@pytest.mark.parametrize(
    ("listen", "host", "port", "loopback"),
    [
        ("127.0.0.1:8750", "127.0.0.1", 8750, True),
        ("localhost:80", "localhost", 80, True),
        ("[::1]:9000", "::1", 9000, True),
        ("0.0.0.0:8750", "0.0.0.0", 8750, False),
        ("192.168.1.5:8750", "192.168.1.5", 8750, False),
    ],
)
def test_listen_addresses(listen: str, host: str, port: int, loopback: bool) -> None:
    assert parse_listen(listen) == (host, port)
    assert is_loopback(host) is loopback


def test_listening_beyond_loopback_needs_a_password() -> None:
    with pytest.raises(ConfigError, match="refusing to listen on 0.0.0.0"):
        require_protection("0.0.0.0", password_hash=None, token_hash=None)
    require_protection("0.0.0.0", password_hash="scrypt$...", token_hash=None)
    require_protection("127.0.0.1", password_hash=None, token_hash=None)
    with pytest.raises(ConfigError, match="HOST:PORT"):
        parse_listen("8750")


def test_serve_refuses_with_one_line_and_exit_2(
    make_config: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    config = make_config()
    assert main(["serve", "--config", str(config), "--listen", "0.0.0.0:8750"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("watcher: error: refusing to listen on 0.0.0.0 without a password")
    config = make_config('[web]\npassword_hash = "hunter2"\n')
    assert main(["serve", "--config", str(config), "--listen", "0.0.0.0:8750"]) == 2
    assert "web.password_hash: not a hash" in capsys.readouterr().err
    assert "hunter2" not in capsys.readouterr().err


def test_hash_password_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
    assert main(["serve", "--hash-password"]) == 0
    stored = capsys.readouterr().out.strip()
    assert verify_secret("a long password", stored)
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["serve", "--hash-password"]) == 2


def test_pages_and_api_need_login_when_protected(served: Any, protected: str) -> None:
    s = served(protected)
    page = s.client.get("/")
    assert page.status_code == 303 and page.headers["location"] == "/login"
    api = s.client.get("/api/v1/shipments")
    assert api.status_code == 401 and api.headers["www-authenticate"] == "Bearer"
    assert s.client.get("/static/style.css").status_code == 200
    wrong = s.client.get("/api/v1/shipments", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    right = s.client.get("/api/v1/shipments", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200
    # A bearer token needs no CSRF token (no cookie involved).
    added = s.client.post(
        "/api/v1/shipments",
        json={"tracking_number": "LP00000000000005"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert added.status_code == 201


def login(s: Any, password: str = PASSWORD) -> httpx.Response:
    return s.client.post("/login", data={"csrf": s.csrf("/login"), "password": password})


def test_login_sets_a_signed_strict_httponly_cookie(served: Any, protected: str) -> None:
    s = served(protected)
    answer = login(s)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    assert s.client.get("/").status_code == 200
    # A tampered cookie is ignored: back to the login page.
    value = s.client.cookies["watcher_session"]
    forged = httpx.Client(base_url=s.url, cookies={"watcher_session": value[:-3] + "AAA"})
    assert forged.get("/").status_code == 303
    # Logging out ends the session.
    s.client.post("/logout", data={"csrf": s.csrf("/")})
    assert s.client.get("/").status_code == 303


def test_secure_cookies_setting(served: Any, protected: str) -> None:
    s = served(protected + "secure_cookies = true\n")
    assert "secure" in s.client.get("/login").headers["set-cookie"].lower()


def test_login_rate_limit_with_the_clock(served: Any, protected: str) -> None:
    s = served(protected + "login_attempts = 3\nlogin_window_minutes = 10\n")
    for _ in range(3):
        assert login(s, "wrong password").status_code == 401
    blocked = login(s)  # even the right password waits
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["retry-after"]) <= 600
    s.clock.advance(minutes=10, seconds=1)
    assert login(s).status_code == 303


def test_limiter_forgets_after_the_window() -> None:
    now = [datetime(2026, 11, 1, tzinfo=UTC)]
    limiter = LoginLimiter(attempts=2, window=timedelta(minutes=5), now=lambda: now[0])
    limiter.failed("a")
    assert limiter.retry_after("a") is None
    limiter.failed("a")
    assert limiter.retry_after("a") == 300
    assert limiter.retry_after("b") is None
    now[0] += timedelta(minutes=5)
    assert limiter.retry_after("a") is None
    limiter.failed("c")
    limiter.succeeded("c")
    assert "c" not in limiter.failures


def test_every_form_post_needs_the_csrf_token(served: Any) -> None:
    s = served()
    s.csrf()  # a session exists
    for path, form in (
        ("/shipments", {"tracking_number": "LP00000000000006"}),
        (f"/shipments/{STALLED}/case", {"step": "received"}),
        (f"/shipments/{STALLED}/case/undo", {"step": "received"}),
        (f"/shipments/{STALLED}/archive", {"archived": "1"}),
        ("/logout", {}),
    ):
        assert s.client.post(path, data=form).status_code == 403, path
        assert s.client.post(path, data={**form, "csrf": "forged"}).status_code == 403, path
    # Nothing was written.
    shown = s.client.get(f"/api/v1/shipments/{STALLED}").json()
    assert shown["received_at"] is None and shown["archived_at"] is None
    # The right token from another site's page is refused as well.
    token = s.csrf()
    cross = s.client.post(
        f"/shipments/{STALLED}/case",
        data={"csrf": token, "step": "received"},
        headers={"Origin": "https://evil.example"},
    )
    assert cross.status_code == 403


def test_security_headers_everywhere(served: Any) -> None:
    s = served()
    for path in (
        "/",
        f"/shipments/{STALLED}",
        "/api/v1/shipments",
        "/nowhere",
        "/static/style.css",
    ):
        headers = s.client.get(path).headers
        assert headers["content-security-policy"] == CSP, path
        assert "frame-ancestors 'none'" in CSP and "script-src" not in CSP
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["x-frame-options"] == "DENY"
    assert s.client.get("/").headers["cache-control"] == "no-store"
    # No inline script (nor any script) on any page.
    for path in ("/", f"/shipments/{STALLED}", "/shipments/new", "/alerts", "/health"):
        assert "<script" not in s.client.get(path).text.lower()
        assert " on" + "click=" not in s.client.get(path).text.lower()


def test_request_size_limit(served: Any) -> None:
    s = served("[web]\nmax_body_bytes = 2048\n")
    big = {"tracking_number": "LP00000000000004", "label": "x" * 4000}
    assert s.client.post("/api/v1/shipments", json=big).status_code == 413

    def chunks() -> Any:  # no Content-Length: counted as it streams
        yield b'{"tracking_number": "LP00000000000004", "label": "'
        for _ in range(10):
            yield b"y" * 500
        yield b'"}'

    streamed = s.client.post(
        "/api/v1/shipments", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    assert s.client.get("/api/v1/shipments/LP00000000000004").status_code == 404


def test_open_mode_only_answers_to_local_host_names(served: Any) -> None:
    s = served()
    assert s.client.get("/").status_code == 200
    rebinding = s.client.get("/", headers={"Host": "attacker.example:8750"})
    assert rebinding.status_code == 400


def test_secrets_are_never_rendered(served: Any, protected: str) -> None:
    secrets = {
        "session": "session-secret-0123456789",
        "notify": "hunter2secretpw",
        "apikey": "KEY-abcdef0123456789",
    }
    s = served(
        protected
        + f'session_secret = "{secrets["session"]}"\n'
        + f'[notify]\nurls = ["mailtos://me:{secrets["notify"]}@example.com"]\n'
        + f'[providers.17track]\napi_key = "{secrets["apikey"]}"\n'
    )
    login(s)
    h = hashes()
    forbidden = [
        *secrets.values(),
        h["password"],
        h["token"],
        h["password"].split("$")[-1],
        PASSWORD,
        TOKEN,
    ]
    paths = ["/", f"/shipments/{STALLED}", "/shipments/new", "/alerts", "/notifications", "/health"]
    paths += ["/api/v1/shipments", f"/api/v1/shipments/{STALLED}", "/api/v1/status"]
    paths += ["/api/v1/alerts", "/api/v1/notifications", "/api/v1/openapi.json"]
    paths += [f"/shipments/{STALLED}/evidence", f"/shipments/{STALLED}/evidence?format=json"]
    paths += [f"/api/v1/shipments/{STALLED}/evidence"]
    for path in paths:
        answer = s.client.get(path)
        assert answer.status_code == 200, path
        text = answer.text + str(answer.headers)
        for secret in forbidden:
            assert secret not in text, (path, secret)
    assert not re.search(r"mailtos://[^\s\"]*:", s.client.get("/health").text)
