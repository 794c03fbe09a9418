"""Secrets from systemd credentials (`LoadCredential=`), read from `$CREDENTIALS_DIRECTORY`.

A credential named `watcher.<key path>` sets that key, with dots for nesting:

    LoadCredential=watcher.providers.17track.api_key:/etc/watcher/secrets/17track
    LoadCredential=watcher.database_url:/etc/watcher/secrets/database_url

or, loading a whole directory whose files are named by key path (`providers.17track.api_key`,
`notify.urls`, ...), which systemd names `watcher_<file name>`:

    LoadCredential=watcher:/etc/watcher/credentials

A file holding a JSON array or object is parsed as JSON; `notify.urls` also takes one URL per
line; anything else is the file's text without the trailing newline. Credentials beat the
config file; `WATCHER_...` environment variables beat credentials.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_settings import PydanticBaseSettingsSource

_LOGGER = logging.getLogger(__name__)

PREFIXES = ("watcher.", "watcher_")
#: Keys whose value is a list, so a plain file with one item per line is accepted.
LINE_LISTS = frozenset({("notify", "urls"), ("default_providers",)})


class CredentialsSource(PydanticBaseSettingsSource):
    """A pydantic-settings source over `$CREDENTIALS_DIRECTORY`."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        # Unused: __call__ builds the nested dict directly.
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        directory = os.environ.get("CREDENTIALS_DIRECTORY")
        return read_credentials(Path(directory)) if directory else {}


def read_credentials(directory: Path) -> dict[str, Any]:
    """Every `watcher.*` credential in `directory` as a nested settings dict."""
    data: dict[str, Any] = {}
    try:
        entries = sorted(directory.iterdir())
    except OSError as exc:
        _LOGGER.warning("cannot read credentials directory %s: %s", directory, exc.strerror)
        return data
    for path in entries:
        if not path.name.startswith(PREFIXES) or not path.is_file():
            continue
        keys = tuple(part for part in path.name[len(PREFIXES[0]) :].split(".") if part)
        if not keys:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            # Name the credential, never its content.
            _LOGGER.warning("cannot read credential %s: %s", path.name, exc.strerror)
            continue
        _set(data, keys, parse_value(keys, text))
    return data


def parse_value(keys: tuple[str, ...], text: str) -> Any:
    """The credential file's content as a settings value."""
    stripped = text.strip()
    if stripped[:1] in ("[", "{"):
        try:
            return json.loads(stripped)
        except json.JSONDecodeError:
            pass  # not JSON after all: keep it as text, validation will say what is wrong
    if keys in LINE_LISTS:
        return [line.strip() for line in stripped.splitlines() if line.strip()]
    return text.rstrip("\r\n")


def _set(data: dict[str, Any], keys: tuple[str, ...], value: Any) -> None:
    node = data
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    node[keys[-1]] = value
