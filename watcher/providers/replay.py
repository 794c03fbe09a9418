"""The `replay` provider: events read from `<path>/<TRACKING_NUMBER>.json`.

It serves the demo, users who copy events by hand, and tests. Optional top-level keys:
`estimated_delivery` ("YYYY-MM-DD") and `follow_on_numbers` (a destination post's numbers). A missing file means
"no information yet", not an error; a file that cannot be read names itself in the error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from watcher.domain.errors import ConfigError, ProviderResponseError
from watcher.domain.models import ProviderEvent, Status, TrackingResult
from watcher.providers.base import ProviderConfig
from watcher.timeline.zones import country_from_location


class ReplayConfig(ProviderConfig):
    """`[providers.replay]`: `path` is relative to the config file."""

    path: str = Field(default="replay")


class ReplayProvider:
    """Reads tracking events from JSON files."""

    name = "replay"
    config_model: ClassVar[type[ProviderConfig]] = ReplayConfig

    def __init__(
        self,
        config: ReplayConfig,
        *,
        name: str | None = None,
        config_dir: Path | None = None,
    ) -> None:
        self.name = name or self.name
        # One file per request: a broken file then fails only its own shipment.
        self.batch_size = config.batch_size or 1
        path = Path(config.path).expanduser()
        self.directory = path if path.is_absolute() else (config_dir or Path.cwd()) / path
        if not self.directory.is_dir():
            # A typo here would read as "not found" for every parcel, forever: refuse it.
            raise ConfigError(f"providers.{self.name}.path: no such folder: {self.directory}")

    async def fetch(self, numbers: Sequence[str]) -> Mapping[str, TrackingResult]:
        return {number: self.read(number) for number in numbers}

    async def aclose(self) -> None:
        return None

    def file_for(self, number: str) -> Path:
        """The number's file, resolved; ProviderResponseError for anything outside the folder."""
        folder = self.directory.resolve()
        try:
            path = (folder / f"{number}.json").resolve()
        except (OSError, ValueError):  # NUL bytes, symlink loops
            path = None
        if path is None or path.parent != folder or "/" in number or "\\" in number:
            raise ProviderResponseError(
                self.name, f"{number[:60]!r}: not a file name in {folder} (refused)"
            )
        return path

    def read(self, number: str) -> TrackingResult:
        """Parse one replay file; missing file = nothing known yet."""
        path = self.file_for(number)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return TrackingResult(tracking_number=number, found=False)
        except OSError as exc:
            raise ProviderResponseError(self.name, f"{path}: cannot read: {exc.strerror}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ProviderResponseError(self.name, f"{path}: not valid JSON: {exc}") from None
        events = data.get("events") if isinstance(data, dict) else None
        if not isinstance(events, list):
            raise ProviderResponseError(
                self.name, f'{path}: expected an object with an "events" list'
            )
        parsed = tuple(parse_event(item, path, index) for index, item in enumerate(events))
        return TrackingResult(
            tracking_number=number,
            events=parsed,
            found=True,
            estimated_delivery=parse_estimate(data.get("estimated_delivery"), path),
            follow_on_numbers=tuple(str(n).upper() for n in data.get("follow_on_numbers") or ()),
        )


def parse_event(item: Any, path: Path, index: int) -> ProviderEvent:
    """One `{"time", "description", "location"?, "status"?}` object."""
    where = f"{path}: events[{index}]"
    if not isinstance(item, dict):
        raise ProviderResponseError("replay", f"{where}: expected an object")
    try:
        time = datetime.fromisoformat(str(item["time"]))
    except KeyError:
        raise ProviderResponseError("replay", f"{where}.time: missing") from None
    except ValueError:
        raise ProviderResponseError(
            "replay", f"{where}.time: not an ISO 8601 time: {item['time']!r}"
        ) from None
    status = item.get("status")
    if status is not None:
        try:
            status = Status(status)
        except ValueError:
            raise ProviderResponseError(
                "replay", f"{where}.status: unknown status {status!r}"
            ) from None
    location = item.get("location")
    return ProviderEvent(
        time=time,
        description=str(item.get("description") or ""),
        location=location,
        country=item.get("country") or country_from_location(location),
        status=status,
        substatus=item.get("substatus"),
        raw_status=item.get("status"),
    )


def parse_estimate(value: Any, path: Path) -> date | None:
    """Optional top-level "estimated_delivery": "YYYY-MM-DD"."""
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ProviderResponseError(
            "replay", f"{path}: estimated_delivery: not a date: {value!r}"
        ) from None
