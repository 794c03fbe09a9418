"""The provider registry: built-ins, entry points, duplicates, and the example plugin."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.metadata import EntryPoint
from pathlib import Path

import httpx
import pytest
import respx

from watcher.domain.errors import ConfigError
from watcher.domain.models import Status
from watcher.providers.base import HttpProvider, TrackingProvider
from watcher.providers.registry import (
    BUILTINS,
    available_providers,
    discover,
    load_provider_class,
    provider_config,
)

PLUGIN_DIR = Path(__file__).parent.parent / "plugin_example"
EXAMPLE = EntryPoint(
    name="example", value="watcher_example_provider:ExampleProvider", group="watcher.providers"
)


@pytest.fixture
def plugin_on_path() -> Iterator[None]:
    """The example package importable, as if pip-installed (no network, no venv changes)."""
    sys.path.insert(0, str(PLUGIN_DIR))
    yield
    sys.path.remove(str(PLUGIN_DIR))
    sys.modules.pop("watcher_example_provider", None)


@pytest.mark.parametrize("name", ["17track", "aftership", "cainiao", "dhl"])
def test_builtins_load_and_fit_the_interface(name: str) -> None:
    cls = load_provider_class(name, extra=[])
    assert issubclass(cls, HttpProvider) and cls.name == name
    provider = cls(
        provider_config(name, {"api_key": "k"}, extra=[]), name=name, config_dir=Path(".")
    )
    assert isinstance(provider, TrackingProvider)
    asyncio.run(provider.aclose())


def test_available_providers_lists_builtins_and_entry_points() -> None:
    assert available_providers(extra=[EXAMPLE]) == sorted([*BUILTINS, "example"])


def test_unknown_provider_is_config_error() -> None:
    with pytest.raises(ConfigError, match=r"unknown provider 'nope' \(known: 17track, aftership"):
        load_provider_class("nope", extra=[])


def test_duplicate_entry_point_is_logged_and_skipped(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="watcher.providers")
    evil = EntryPoint(name="cainiao", value="evil:Provider", group="watcher.providers")
    same = EntryPoint(name="replay", value=BUILTINS["replay"], group="watcher.providers")
    assert discover([evil, same])["cainiao"] == BUILTINS["cainiao"]
    assert [r.getMessage() for r in caplog.records] == [
        (
            "provider 'cainiao' from evil:Provider ignored: already provided by "
            "watcher.providers.cainiao:CainiaoProvider"
        )
    ]


def test_broken_entry_point_is_config_error() -> None:
    broken = EntryPoint(
        name="broken", value="no_such_module_xyz:Provider", group="watcher.providers"
    )
    with pytest.raises(ConfigError, match="provider 'broken' cannot be loaded"):
        load_provider_class("broken", extra=[broken])


def test_config_is_validated_with_the_adapter_model() -> None:
    config = provider_config("dhl", {"api_key": "k", "service": "express"}, extra=[])
    assert config.service == "express"
    with pytest.raises(Exception, match="colour"):
        provider_config("dhl", {"colour": "red"}, extra=[])


def test_example_plugin_loads_through_its_entry_point(plugin_on_path: None) -> None:
    cls = load_provider_class("example", extra=[EXAMPLE])
    config = provider_config("example", {"greeting": "hi"}, extra=[EXAMPLE])
    provider = cls(config, name="example", config_dir=Path("."))
    provider.limiter = type(provider.limiter)()

    async def main() -> dict[str, object]:
        with respx.mock(base_url="https://tracking.example.invalid") as mock:
            mock.get("/parcels/EX123456").mock(
                return_value=httpx.Response(
                    200,
                    json={
                        "events": [{"at": "2026-10-20T07:15:00Z", "text": "Done", "state": "done"}]
                    },
                )
            )
            result = await provider.fetch(["EX123456"])
        await provider.aclose()
        return dict(result)

    result = asyncio.run(main())
    (event,) = result["EX123456"].events  # type: ignore[attr-defined]
    assert event.status == Status.DELIVERED and event.time == datetime(
        2026, 10, 20, 7, 15, tzinfo=UTC
    )


def test_example_plugin_pyproject_declares_the_entry_point() -> None:
    import tomllib

    meta = tomllib.loads((PLUGIN_DIR / "pyproject.toml").read_text())
    points = meta["project"]["entry-points"]["watcher.providers"]
    assert points == {"example": EXAMPLE.value}
