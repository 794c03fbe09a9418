"""Which configured values are secrets: keys, passwords, URL userinfo, notification URL tokens.

`register_settings` hands them to the redaction layer (`watcher/domain/redact.py`) each time
settings are loaded, so logs, stored errors and output never show them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from pydantic import SecretStr

from watcher.domain import redact

if TYPE_CHECKING:
    from watcher.config import Settings

#: Words in a key name that mark its value as a secret.
SECRET_WORDS = ("key", "token", "secret", "password", "passwd", "credential", "auth")
#: URL path parts that are structure, not secrets (anything else in a notification URL is).
PLAIN_PATH_PARTS = frozenset(
    {"api", "v1", "v2", "v3", "hooks", "webhook", "webhooks", "services", "notify", "message",
     "messages", "send", "json", "xml", "form", "http", "https"}
)  # fmt: skip


def is_secret_key(name: str) -> bool:
    """True for a key whose value must never be shown (`api_key`, `password`, `urls`, ...)."""
    lowered = name.lower()
    return any(word in lowered for word in SECRET_WORDS) or lowered.endswith(
        ("url", "urls", "urls_file", "config_file")
    )


#: Schemes whose path is a secret however it reads (an ntfy topic is its password).
SECRET_PATH_SCHEMES = frozenset({"ntfy", "ntfys"})


def register_settings(settings: Settings) -> None:
    """Register every secret the settings hold with the redaction layer."""
    redact.register(configured_secrets(settings))


def configured_secrets(settings: Settings) -> set[str]:
    """Every secret value in the settings, and the secret parts of every configured URL."""
    found: set[str] = set()
    if settings.database_url is not None:
        found |= userinfo_secrets(settings.database_url.get_secret_value(), lone_user=False)
    urls = [u.get_secret_value() for u in settings.notify.urls]
    for target in settings.notify.targets.values():
        urls += [u.get_secret_value() for u in target.urls]
        if target.config_file and "://" in target.config_file:
            found |= url_secrets(target.config_file, hosts=False)
    for url in urls:
        found |= url_secrets(url, hosts=True)
    for name, table in settings.providers.items():
        found |= set(_table_secrets(table, name))
    return found


def _table_secrets(value: Any, key: str) -> Iterator[str]:
    """Values under secret-named keys (any depth) and every `SecretStr`."""
    if isinstance(value, SecretStr):
        yield value.get_secret_value()
    elif isinstance(value, dict):
        for child, item in value.items():
            yield from _table_secrets(item, str(child))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _table_secrets(item, key)
    elif isinstance(value, str):
        if is_secret_key(key) and not key.lower().endswith(("base_url", "path")):
            yield value
        elif "://" in value:
            yield from url_secrets(value, hosts=False)


def url_secrets(url: str, *, hosts: bool) -> set[str]:
    """The secret parts of a URL: userinfo, query values, path parts and (apprise) the host.

    In apprise URLs the "host" is often a token (`ntfy://topic`, `tgram://bottoken/chat`), so
    `hosts=True` treats a dotless host as a secret; hostnames with dots are addresses.
    """
    found = {url}
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return found  # unparseable: the whole text is the secret
    found |= userinfo_secrets(url, lone_user=True)
    secret_path = parts.scheme.lower() in SECRET_PATH_SCHEMES
    if hosts and host and "." not in host and host != "localhost":
        found.add(parts.netloc.rsplit("@", 1)[-1].split(":")[0])
    for part in parts.path.split("/"):
        if part and part.lower() not in PLAIN_PATH_PARTS and (secret_path or not _plain_path(part)):
            found |= {part, unquote(part)}
    for _name, value in parse_qsl(parts.query, keep_blank_values=False):
        if hosts or is_secret_key(_name):
            found.add(value)
    return {value for value in found if len(value) >= redact.MIN_SECRET_LENGTH}


def userinfo_secrets(url: str, *, lone_user: bool) -> set[str]:
    """The credential in a URL's userinfo (the password, else a lone token), raw and unquoted."""
    try:
        parts = urlsplit(url.strip())
        user, password = parts.username, parts.password
    except ValueError:
        return {url}
    # A user name beside a password is an account name (often "watcher": blanking it would
    # garble all output); alone, `scheme://TOKEN@host`, it is the credential.
    values = [password] if password else [user] if lone_user else []
    if password:
        values.append(parts.netloc.rsplit("@", 1)[0].split(":", 1)[1])
    found = {v for v in values if v} | {unquote(v) for v in values if v}
    return {value for value in found if len(value) >= redact.MIN_SECRET_LENGTH}


def _plain_path(part: str) -> bool:
    """A path part that reads as a word or file name, not a token (tokens mix in digits)."""
    return (part.isalpha() and len(part) <= 16) or part.endswith(
        (".yml", ".yaml", ".txt", ".conf", ".cfg", ".db")
    )
