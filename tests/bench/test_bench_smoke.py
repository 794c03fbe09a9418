"""The benchmark harness (bench/) still runs: every scenario at a tiny size prints its JSON figures.

No timing assertions: the figures depend on the machine. The real runs are `python -m bench all`
(see docs/benchmarks.md); they do not run in CI.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from bench import dataset, scenarios
from bench.fakeprovider import FakeConfig, FakeProvider, timeline


@pytest.fixture(autouse=True)
def bench_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Database templates go to a throw-away directory, not the shared benchmark cache."""
    cache = tmp_path_factory.mktemp("bench-cache")
    monkeypatch.setattr(dataset, "CACHE_DIR", cache)
    monkeypatch.setenv("WATCHER_BENCH_CACHE", str(cache))  # the memory scenario's child process
    return cache


def _post(url: str, body: Any, key: str = "k") -> tuple[int, dict[str, Any], dict[str, str]]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST", headers={"17token": key}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}"), dict(exc.headers)


def test_fake_provider_speaks_the_17track_batch_api() -> None:
    with FakeProvider(FakeConfig(rate=2, burst=2)).start_thread() as server:
        status, body, _ = _post(f"{server.base_url}/gettrackinfo", [{"number": "LP00000000000001"}])
        assert (
            status == 200 and body["data"]["rejected"][0]["error"]["code"] == -18019902
        )  # not registered
        status, body, _ = _post(f"{server.base_url}/register", [{"number": "LP00000000000001"}])
        assert body["data"]["accepted"][0]["number"] == "LP00000000000001"
        status, body, headers = _post(
            f"{server.base_url}/gettrackinfo", [{"number": "LP00000000000001"}]
        )
        assert status == 429 and headers["Retry-After"] == "1"  # the third request within a second
        stats = server.stats()
    assert stats["rate_limited"] == 1 and stats["numbers_registered"] == 1


def test_timelines_are_deterministic_and_parse() -> None:
    from watcher.providers.seventeentrack.adapter import parse_track_item

    now = dataset.NOW
    first = timeline("LP00000000000042", now=now, min_events=20, max_events=20)
    assert first == timeline("LP00000000000042", now=now, min_events=20, max_events=20)
    events = parse_track_item(first).events
    assert len(events) == 20 and all(e.time <= now for e in events)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("quota", {"shipments": 80, "latency": 0.0}),
        ("throughput", {"shipments": 120}),
        ("ingest", {"events": 1_000}),
        ("evaluate", {"shipments": 60, "curve": (30,)}),
        ("memory", {"shipments": 60, "cycles": 3}),
        ("responsiveness", {"shipments": 60, "runs": 1}),
    ],
)
def test_scenario_produces_its_figures(
    name: str, kwargs: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    result = scenarios.SCENARIOS[name](**kwargs)
    result.print()
    out = capsys.readouterr().out
    data = json.loads(out.splitlines()[0])
    assert data["scenario"] == name and data["targets"] and data["figures"]
    assert {"nproc", "cpu", "python"} <= set(data["machine"])
    assert "wanted" in out and "measured" in out  # the readable table
