"""The redaction layer: registered secrets, URL userinfo and credential query values never leave."""

from __future__ import annotations

import io
import logging
import string

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from watcher.config import load_settings
from watcher.config.secrets import PLAIN_PATH_PARTS, url_secrets
from watcher.domain import redact
from watcher.domain.errors import ProviderResponseError
from watcher.service.logs import setup_logging

TOKEN = st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=8, max_size=40)


@given(scheme=st.sampled_from(["ntfy", "ntfys", "json", "mailto", "tgram", "discord", "https"]),
       user=TOKEN, password=TOKEN, path=TOKEN)  # fmt: skip
@settings(max_examples=150, deadline=None)
def test_any_userinfo_and_secret_path_is_redacted(
    scheme: str, user: str, password: str, path: str
) -> None:
    assume(path.lower() not in PLAIN_PATH_PARTS)  # "api", "hooks": structure, not secrets
    # A short plain word in a path is an address, not a token, except where the scheme says so.
    assume(scheme.startswith("ntfy") or not (path.isalpha() and len(path) <= 16))
    url = f"{scheme}://{user}:{password}@host.example/{path}?token={path}x"
    redact.register(url_secrets(url, hosts=True))
    text = redact.redact(f"apprise failed for {url} (retrying {path})")
    assert password not in text and path not in text
    assert f"{path}x" not in text


@given(secret=TOKEN, noise=st.text(max_size=30))
@settings(max_examples=150, deadline=None)
def test_truncation_never_leaves_part_of_a_key(secret: str, noise: str) -> None:
    redact.register([secret])
    for limit in range(1, 60, 7):
        cut = redact.truncate(noise + secret + noise, limit)
        assert len(cut) <= max(limit, 1) and secret[:4] not in cut.replace(redact.MASK, "")


def test_unregistered_userinfo_and_query_credentials_are_redacted() -> None:
    text = redact.redact("GET https://bob:hunter2hunter@x.example/a?api_key=K3Y-VALUE&page=2")
    assert "hunter2hunter" not in text and "K3Y-VALUE" not in text and "page=2" in text


def test_encoded_and_case_changed_secrets_are_redacted() -> None:
    redact.register(["MyTopic/Sekret 1"])
    for form in (
        "MyTopic/Sekret 1",
        "mytopic/sekret 1",
        "MyTopic%2FSekret%201",
        "MyTopic%2FSekret+1",
    ):
        assert redact.redact(f"x {form} y") == f"x {redact.MASK} y"


def test_provider_error_echoing_the_key_is_redacted_at_creation() -> None:
    redact.register(["live-KEY-0123456789"])
    error = ProviderResponseError("17track", "code -1: invalid key live-KEY-0123456789")
    assert "live-KEY" not in str(error) and "live-KEY" not in error.detail


SECRETS = {
    "api": "apikey-7f3a9c1d2e",
    "password": "p4ssw0rd-ZZ9",
    "topic": "watcher-topic-8k2j3h",
    "webhook": "webhooktoken77aa",
    "config_pw": "cfgpass-1234xyz",
}


def planted_config(make_config) -> object:
    return make_config(f"""
[providers.aftership]
api_key = "{SECRETS["api"]}"
[notify]
urls = ["mailto://owner:{SECRETS["password"]}@mail.example", "ntfys://ntfy.sh/{SECRETS["topic"]}",
        "json://hooks.example/api/{SECRETS["webhook"]}"]
[notify.targets.ops]
config_file = "https://admin:{SECRETS["config_pw"]}@cfg.example/apprise.yml"
""")


@pytest.mark.parametrize(
    "logger_name", ["apprise", "httpx", "httpcore.http11", "urllib3.connectionpool", "watcher.x"]
)
def test_third_party_debug_lines_are_redacted(
    logger_name: str, make_config, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_settings(planted_config(make_config))
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    setup_logging("debug")
    logger = logging.getLogger(logger_name)
    logger.setLevel(logging.DEBUG)
    try:
        logger.debug("POST https://ntfy.sh/%s", SECRETS["topic"])
        logger.warning("Unparseable URL mailto://owner:%s@mail.example", SECRETS["password"])
        logger.info("sending to json://hooks.example/api/" + SECRETS["webhook"])
        try:
            raise ValueError(f"boom with {SECRETS['api']} and {SECRETS['config_pw']}")
        except ValueError:
            logger.exception("crash")
    finally:
        logger.setLevel(logging.NOTSET)
    out = stream.getvalue()
    assert "crash" in out and "ValueError" in out
    for secret in SECRETS.values():
        assert secret not in out


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("[providers.aftership]\napi_key = 12345678901\n", "providers.aftership.api_key"),
        ("[notify]\nurls = 5\n", "notify.urls"),
        ('[notify]\nurls = [["ntfy://abcd-secret-topic"]]\n', "notify.urls[0]"),
        ('database_url = "mysql://u:dbpass-very-secret@h/db"\n', "database_url"),
        ('database_url = "not a url dbpass-very-secret"\n', "database_url"),
        ('[notify.targets.x]\nconfig_file = ["https://u:cfgpass-secret-1@h/a"]\n', "config_file"),
        ('[polling]\ntick_seconds = "ntfy://u:pw-secret-999@h"\n', "polling.tick_seconds"),
    ],
)
def test_validation_errors_never_echo_secret_values(make_config, body: str, key: str) -> None:
    from watcher.domain.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        load_settings(make_config(body, database="database_url" not in body))
    message = str(caught.value)
    assert key in message and "\n" not in message
    for secret in ("12345678901", "abcd-secret-topic", "dbpass-very-secret", "cfgpass-secret-1",
                   "pw-secret-999"):  # fmt: skip
        assert secret not in message
