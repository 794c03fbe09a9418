"""The push benchmark still runs: a few pushes through a real server, and the polling saving."""

from __future__ import annotations

from bench.push import polls_per_day, push


def test_push_scenario_produces_its_figures() -> None:
    result = push(shipments=3)
    assert result.figures["pushes"] == 3
    assert result.figures["latency_p95_s"] > 0


def test_pushes_save_lookups_against_polling() -> None:
    assert polls_per_day(push=True) < polls_per_day(push=False)
    assert polls_per_day(push=True) == 1.0  # the 24-hour safety net
