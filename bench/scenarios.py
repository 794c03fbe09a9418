"""The six benchmark scenarios of issue 8. Each returns a `Result` (figures + targets)."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import dataset
from bench.fakeprovider import FakeConfig, FakeProvider
from bench.report import Result, log, peak_rss_mb, rss_mb

QUOTA_RPS = 3.0
QUOTA_BATCH = 40


@contextmanager
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="watcher-bench-") as name:
        yield Path(name)


class CountingNotifier:
    """Accepts every message and only counts them (no list that would grow over 1,000 cycles)."""

    def __init__(self) -> None:
        self.sent = 0

    def targets(self) -> list[str]:
        return ["default"]

    def send(self, target: str, title: str, body: str, **kwargs: Any) -> Any:
        from watcher.notify.transport import Delivery

        self.sent += 1
        return Delivery(ok=True)


def open_app(config: Path, **kwargs: Any) -> Any:
    import logging

    from watcher.service.app import App

    # Alert changes are logged at warning; thousands of them would swamp the figures.
    logging.getLogger("watcher").setLevel(logging.ERROR)
    return App(
        dataset.load(config), notifier=kwargs.pop("notifier", None) or CountingNotifier(), **kwargs
    )


async def poll_until_done(app: Any, now: datetime) -> tuple[int, int]:
    """Run the real poller back to back (as the daemon would with work left) until nothing is due."""
    from watcher.service.poller import poll_due

    polled = cycles = 0
    while True:
        report = await poll_due(
            now, settings=app.settings, sessions=app.sessions, providers=app.providers
        )
        if not report.shipments:
            return polled, cycles
        polled += report.shipments
        cycles += 1
        if report.errors:
            log(f"  poll errors: {report.errors[:3]}")


def seed_registered(app: Any, count: int) -> None:
    """Mark the numbers as registered at 17TRACK (as the poller does from stored events at start-up)."""
    provider = app.providers.get("17track")
    provider.remember_answered([dataset.number(i) for i in range(count)])


# ----------------------------------------------------------------------------- 1 quota


def quota(shipments: int = 20_000, *, cold: bool = False, latency: float = 0.1) -> Result:
    """Poll `shipments` due numbers through a 3 req/s x 40 fake 17TRACK; 429s must stay at zero."""
    result = Result("quota")
    now = datetime.now(UTC).replace(microsecond=0)
    with (
        workdir() as tmp,
        FakeProvider.start_process(
            FakeConfig(
                rate=QUOTA_RPS,
                max_batch=QUOTA_BATCH,
                latency=latency,
                jitter=latency,
                preregistered=not cold,
            )
        ) as server,
    ):
        from watcher.store import db

        database = tmp / "watcher.db"
        engine, _ = db.open_database(f"sqlite:///{database}")
        dataset.insert_shipments(engine, shipments, now - timedelta(seconds=1))
        engine.dispose()
        app = open_app(dataset.write_config(tmp, database=database, base_url=server.base_url))
        if not cold:
            seed_registered(app, shipments)
        log(
            f"quota: polling {shipments:,} due shipments at {QUOTA_RPS:g} req/s x {QUOTA_BATCH} ({'cold' if cold else 'warm'})"
        )
        started = time.perf_counter()
        polled, cycles = asyncio.run(_poll_and_close(app, now))
        elapsed = time.perf_counter() - started
        stats = server.stats()
        app.engine.dispose()
    numbers = stats["numbers_tracked"]
    maximum = QUOTA_RPS * QUOTA_BATCH
    rate = numbers / elapsed if elapsed else 0.0
    requests = sum(stats["requests"].values())
    result.figures.update(
        shipments=shipments,
        polled=polled,
        cycles=cycles,
        mode="cold" if cold else "warm",
        seconds=round(elapsed, 2),
        numbers_answered=numbers,
        numbers_per_second=round(rate, 2),
        quota_numbers_per_second=maximum,
        utilisation=round(rate / maximum, 4),
        requests=stats["requests"],
        http_429=stats["rate_limited"],
        requests_per_second=round(requests / elapsed, 3),
        max_requests_in_any_second=stats["max_in_window"],
        server_latency_s=latency,
    )
    result.check(
        "numbers/s vs quota",
        ">= 95% of 120/s",
        f"{rate / maximum:.1%} ({rate:.1f}/s)",
        rate / maximum >= 0.95,
    )
    result.check("HTTP 429 responses", "0", str(stats["rate_limited"]), stats["rate_limited"] == 0)
    if cold:
        result.notes.append(
            "cold: every number is registered first (register + gettrackinfo = 2 requests per 40 numbers)"
        )
    return result


async def _poll_and_close(app: Any, now: datetime) -> tuple[int, int]:
    try:
        return await poll_until_done(app, now)
    finally:
        await app.providers.aclose()


# ----------------------------------------------------------------------------- 2 throughput


def throughput(shipments: int = 10_000, *, latency: float = 0.005, concurrency: int = 4) -> Result:
    """Unthrottled: poller + storage vs a bare httpx loop fetching the same responses."""
    import httpx

    result = Result("throughput")
    now = datetime.now(UTC).replace(microsecond=0)
    numbers = [dataset.number(i) for i in range(shipments)]
    with (
        workdir() as tmp,
        FakeProvider.start_process(FakeConfig(latency=latency, preregistered=True)) as server,
    ):

        async def bare() -> float:
            sem = asyncio.Semaphore(concurrency)
            headers = {"17token": "bench-key", "Content-Type": "application/json"}
            async with httpx.AsyncClient(
                base_url=server.base_url, headers=headers, timeout=30
            ) as client:

                async def one(batch: list[str]) -> None:
                    async with sem:
                        response = await client.post(
                            "/gettrackinfo", json=[{"number": n} for n in batch]
                        )
                        await response.aread()
                        assert response.status_code == 200

                started, cpu = time.perf_counter(), time.process_time()
                await asyncio.gather(
                    *(
                        one(numbers[i : i + QUOTA_BATCH])
                        for i in range(0, len(numbers), QUOTA_BATCH)
                    )
                )
                return time.perf_counter() - started, time.process_time() - cpu

        asyncio.run(bare())  # warm the server's timeline cache: both loops then read the same bytes
        bare_s, bare_cpu = min(asyncio.run(bare()) for _ in range(2))
        from watcher.store import db

        database = tmp / "watcher.db"
        engine, _ = db.open_database(f"sqlite:///{database}")
        dataset.insert_shipments(engine, shipments, now - timedelta(seconds=1))
        engine.dispose()
        config = dataset.write_config(
            tmp,
            database=database,
            base_url=server.base_url,
            requests_per_second=1_000_000,
            max_concurrency=concurrency,
            max_shipments_per_cycle=shipments,
        )
        app = open_app(config)
        seed_registered(app, shipments)

        async def watcher_polls() -> tuple[float, float, float, float, int]:
            from sqlalchemy import update

            from watcher.store.tables import ShipmentRow

            try:
                started, cpu = time.perf_counter(), time.process_time()
                await poll_until_done(app, now)
                first, first_cpu = time.perf_counter() - started, time.process_time() - cpu
                with app.sessions.begin() as session:
                    session.execute(
                        update(ShipmentRow).values(next_poll_at=now - timedelta(seconds=1))
                    )
                started, cpu = time.perf_counter(), time.process_time()
                await poll_until_done(app, now)
                second, second_cpu = time.perf_counter() - started, time.process_time() - cpu
            finally:
                await app.providers.aclose()
            with app.sessions() as session:
                from sqlalchemy import func, select

                from watcher.store.tables import EventRow

                stored = session.scalar(select(func.count()).select_from(EventRow)) or 0
            return first, first_cpu, second, second_cpu, stored

        first_s, first_cpu, second_s, second_cpu, stored = asyncio.run(watcher_polls())
        app.engine.dispose()
    bare_rate, first_rate, second_rate = (
        shipments / bare_s,
        shipments / first_s,
        shipments / second_s,
    )
    per_number = 1000 / shipments  # seconds in total -> ms per number
    result.figures.update(
        shipments=shipments,
        concurrency=concurrency,
        latency_s=latency,
        events_stored=stored,
        bare_httpx_seconds=round(bare_s, 3),
        bare_numbers_per_second=round(bare_rate, 1),
        watcher_new_events_seconds=round(first_s, 3),
        watcher_new_events_numbers_per_second=round(first_rate, 1),
        watcher_repoll_seconds=round(second_s, 3),
        watcher_repoll_numbers_per_second=round(second_rate, 1),
        ratio_new_events=round(first_rate / bare_rate, 4),
        ratio_repoll=round(second_rate / bare_rate, 4),
        # CPU of this process (the fake server runs in its own): steadier than wall time on a busy machine.
        cpu_ms_per_number={
            "bare": round(bare_cpu * per_number, 4),
            "new_events": round(first_cpu * per_number, 4),
            "repoll": round(second_cpu * per_number, 4),
        },
    )
    result.check(
        "poll+store (new events) vs bare httpx",
        ">= 50%",
        f"{first_rate / bare_rate:.1%}",
        first_rate / bare_rate >= 0.5,
    )
    result.check(
        "re-poll (known events) vs bare httpx",
        ">= 50%",
        f"{second_rate / bare_rate:.1%}",
        second_rate / bare_rate >= 0.5,
    )
    return result


# ----------------------------------------------------------------------------- 3 ingest


def ingest(events: int = 1_000_000, *, per_shipment: int = 20, batch: int = QUOTA_BATCH) -> Result:
    """Normalizing and storing `events` new events vs a bare sqlite3 executemany of the same rows."""
    from sqlalchemy import func, select

    from watcher.store import db, tracking_events
    from watcher.store.tables import EventRow
    from watcher.timeline.normalize import normalize_events

    result = Result("ingest")
    shipments = max(1, events // per_shipment)
    now = dataset.NOW
    log(f"ingest: preparing {shipments:,} shipments x {per_shipment} provider events")
    parsed = {
        i % dataset.TEMPLATES: dataset.provider_events(i % dataset.TEMPLATES, per_shipment, now)
        for i in range(min(shipments, dataset.TEMPLATES))
    }
    with workdir() as tmp:
        # Bare sqlite3: the very rows watcher stores, into the same schema, one executemany.
        bare_db = tmp / "bare.db"
        engine, _ = db.open_database(f"sqlite:///{bare_db}")
        dataset.insert_shipments(engine, shipments, now)
        engine.dispose()
        columns = dataset._EVENT_COLUMNS
        rows = []
        for i in range(shipments):
            for values in dataset.event_rows(i + 1, i, per_shipment, now):
                rows.append(tuple(_sqlite_value(values[c]) for c in columns))
        conn = sqlite3.connect(bare_db)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        sql = (
            f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        )
        started = time.perf_counter()
        with conn:
            conn.executemany(sql, rows)
        bare_s = time.perf_counter() - started
        conn.close()
        total = len(rows)
        del rows

        # watcher: ProviderEvents in, normalized and stored per shipment (`store_events`), one
        # transaction per poll batch.
        database = tmp / "watcher.db"
        engine, sessions = db.open_database(f"sqlite:///{database}")
        dataset.insert_shipments(engine, shipments, now)

        def run() -> int:
            new = 0
            for start in range(0, shipments, batch):
                with sessions.begin() as session:
                    for i in range(start, min(shipments, start + batch)):
                        normalized = normalize_events(parsed[i % dataset.TEMPLATES])
                        new += tracking_events.store_events(
                            session, i + 1, dataset.number(i), "17track", normalized, now
                        )
            return new

        log(f"ingest: bare executemany {total:,} rows: {bare_s:.2f} s; now watcher")
        started = time.perf_counter()
        new = run()
        watcher_s = time.perf_counter() - started
        started = time.perf_counter()
        again = run()
        repeat_s = time.perf_counter() - started
        with sessions() as session:
            stored = session.scalar(select(func.count()).select_from(EventRow))
        engine.dispose()
    ratio = bare_s / watcher_s
    result.figures.update(
        events=total,
        shipments=shipments,
        transaction_every_shipments=batch,
        bare_executemany_seconds=round(bare_s, 3),
        bare_rows_per_second=round(total / bare_s),
        watcher_seconds=round(watcher_s, 3),
        watcher_rows_per_second=round(total / watcher_s),
        watcher_new=new,
        stored=stored,
        ratio=round(ratio, 4),
        repeat_seconds=round(repeat_s, 3),
        repeat_new=again,
        repeat_rows_per_second=round(total / repeat_s),
    )
    result.check("store_events vs bare executemany", ">= 25%", f"{ratio:.1%}", ratio >= 0.25)
    result.check(
        "idempotent (2nd run stores 0)", "0 new", str(again), again == 0 and new == total == stored
    )
    return result


def _sqlite_value(value: Any) -> Any:
    """How SQLAlchemy's SQLite dialect stores a value (naive UTC text for datetimes)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, bool):
        return int(value)
    return value


# ----------------------------------------------------------------------------- 4 evaluate


EVALUATE_CURVE = (1_000, 10_000, 30_000, 100_000)


def evaluate(
    shipments: int = 100_000, *, curve: tuple[int, ...] | None = None, events: int = 20
) -> Result:
    """Evaluation cost at `shipments` (20 events each): 1%-due cycle, full re-evaluation, the curve."""
    result = Result("evaluate")
    sizes = sorted(
        {s for s in (curve if curve is not None else EVALUATE_CURVE) if s <= shipments}
        | {shipments}
    )
    points = []
    for size in sizes:
        points.append(_evaluate_size(size, events))
        p = points[-1]
        log(
            f"evaluate {size:>7,}: first full {p['full_first_s']:.2f} s, full {p['full_s']:.2f} s, 1% due {p['due_1pct_s']:.3f} s"
        )
    top = points[-1]
    result.figures.update(shipments=shipments, events_per_shipment=events, curve=points)
    result.check(
        f"1%-due cycle at {shipments:,}",
        "<= 0.5 s",
        f"{top['due_1pct_s']:.3f} s",
        top["due_1pct_s"] <= 0.5,
    )
    result.check(
        f"full re-evaluation at {shipments:,}",
        "<= 10 s",
        f"{top['full_s']:.2f} s (first ever: {top['full_first_s']:.2f} s)",
        top["full_s"] <= 10,
    )
    if len(points) > 1:
        low = points[0]
        per_low = low["full_s"] / low["shipments"]
        per_top = top["full_s"] / top["shipments"]
        growth = per_top / per_low
        due_growth = (top["due_1pct_s"] / top["shipments"]) / (low["due_1pct_s"] / low["shipments"])
        result.figures.update(
            per_shipment_cost_growth=round(growth, 3), due_cycle_cost_growth=round(due_growth, 3)
        )
        result.check(
            "cost per shipment, largest vs smallest",
            "<= 1.25x (linear)",
            f"full {growth:.2f}x, 1% {due_growth:.2f}x",
            growth <= 1.25 and due_growth <= 1.25,
        )
    return result


def _evaluate_size(size: int, events: int) -> dict[str, Any]:
    from sqlalchemy import text

    from watcher.domain.clock import FrozenClock
    from watcher.service.evaluator import evaluate_due

    now = dataset.NOW
    with workdir() as tmp:
        database = dataset.database_copy(tmp, size, events, log=log)
        app = open_app(dataset.write_config(tmp, database=database), clock=FrozenClock(now))
        kwargs = {
            "settings": app.settings,
            "sessions": app.sessions,
            "targets": app.router(),
        }  # as the daemon passes them
        started = time.perf_counter()
        first = evaluate_due(now, everything=True, **kwargs)
        full_first = time.perf_counter() - started
        started = time.perf_counter()
        evaluate_due(now, everything=True, **kwargs)
        full = time.perf_counter() - started
        with app.sessions.begin() as session:
            session.execute(
                text("UPDATE shipments SET next_eval_at = :now WHERE id % 100 = 0"),
                {"now": now.replace(tzinfo=None)},
            )
        started = time.perf_counter()
        due = evaluate_due(now, **kwargs)
        due_s = time.perf_counter() - started
        with app.sessions() as session:
            alerts = session.execute(
                text("SELECT count(*) FROM alerts WHERE resolved_at IS NULL")
            ).scalar()
            outbox = session.execute(text("SELECT count(*) FROM notifications")).scalar()
        app.engine.dispose()
    return {
        "shipments": size,
        "full_first_s": round(full_first, 3),
        "full_s": round(full, 3),
        "due_1pct_s": round(due_s, 4),
        "due_evaluated": due.evaluated,
        "first_alert_changes": len(first.changes),
        "open_alerts": alerts,
        "outbox_rows": outbox,
        "full_per_shipment_ms": round(full / size * 1000, 4),
    }


# ----------------------------------------------------------------------------- 5 memory


def memory(shipments: int = 100_000, *, cycles: int = 1_000, tick: float = 30.0) -> Result:
    """Peak RSS over scenario 4 plus `cycles` daemon cycles, measured in a fresh process."""
    args = [
        sys.executable,
        "-m",
        "bench",
        "_memory_child",
        "--shipments",
        str(shipments),
        "--cycles",
        str(cycles),
        "--tick",
        str(tick),
    ]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            filter(
                None, [str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH")]
            )
        ),
    }
    output = subprocess.run(args, check=True, stdout=subprocess.PIPE, text=True, env=env).stdout
    figures = json.loads(output.strip().splitlines()[-1])
    result = Result("memory", figures=figures)
    growth = figures["rss_end_mb"] - figures["rss_start_mb"]
    result.check(
        "peak RSS (scenario 4 + cycles)",
        "<= 250 MB",
        f"{figures['peak_rss_mb']:.0f} MB",
        figures["peak_rss_mb"] <= 250,
    )
    result.check(
        f"RSS growth over {cycles:,} cycles, from the first poll",
        "none (<= 5 MB)",
        f"{figures['rss_start_mb']:.0f} -> {figures['rss_end_mb']:.0f} MB ({growth:+.1f}; before any poll: "
        f"{figures['rss_first_sample_mb']:.0f} MB)",
        growth <= 5,
    )
    return result


def memory_child(shipments: int, cycles: int, tick: float) -> dict[str, Any]:
    """Runs in its own process: scenario 4's work, then `cycles` cycles of the daemon's job."""
    import gc

    from sqlalchemy import text

    from watcher.domain.clock import FrozenClock
    from watcher.service.evaluator import evaluate_due

    now = dataset.NOW
    figures: dict[str, Any] = {
        "shipments": shipments,
        "cycles": cycles,
        "tick_s": tick,
        "rss_import_mb": round(rss_mb(), 1),
    }
    with (
        workdir() as tmp,
        FakeProvider.start_process(
            FakeConfig(preregistered=True, min_events=20, max_events=20, now=now.isoformat())
        ) as server,
    ):
        database = dataset.database_copy(tmp, shipments, log=log)
        clock = FrozenClock(now)
        app = open_app(
            dataset.write_config(
                tmp, database=database, base_url=server.base_url, requests_per_second=1000
            ),
            clock=clock,
        )
        seed_registered(app, shipments)
        kwargs = {
            "settings": app.settings,
            "sessions": app.sessions,
            "targets": app.router(),
        }  # as the daemon passes them
        evaluate_due(now, everything=True, **kwargs)
        with app.sessions.begin() as session:
            session.execute(
                text("UPDATE shipments SET next_eval_at = :now WHERE id % 100 = 0"),
                {"now": now.replace(tzinfo=None)},
            )
        evaluate_due(now, **kwargs)
        figures["peak_rss_scenario4_mb"] = round(peak_rss_mb(), 1)
        # The first evaluation queued a notification per new alert (55,000 at 100,000 shipments);
        # delivering that backlog at 200 per cycle is not what the growth check is about.
        with app.sessions.begin() as session:
            figures["outbox_backlog_marked_sent"] = session.execute(
                text("UPDATE notifications SET sent_at = :now WHERE sent_at IS NULL"),
                {"now": now.replace(tzinfo=None)},
            ).rowcount

        async def run_cycles() -> list[tuple[int, float]]:
            samples = []
            polled = 0
            warm: tuple[int, float] | None = None
            # WATCHER_BENCH_TRACEMALLOC=<frames>: print what grew between the 2nd and the last sample.
            trace = bool(os.environ.get("WATCHER_BENCH_TRACEMALLOC"))
            snapshots: list[Any] = []
            if trace:
                import tracemalloc

                tracemalloc.start(int(os.environ["WATCHER_BENCH_TRACEMALLOC"]))
            started = time.perf_counter()
            try:
                for n in range(1, cycles + 1):
                    clock.advance(seconds=tick)
                    report = await app.cycle()
                    polled += report.poll.shipments
                    if warm is None and report.poll.shipments:
                        # Every code path (poll, store, evaluate, dispatch) has now run once: the
                        # modules and caches it loaded are one-time costs, not growth.
                        gc.collect()
                        warm = (n, round(rss_mb(), 1))
                        figures["rss_warm"] = warm
                    if n in (10, cycles) or n % max(1, cycles // 10) == 0:
                        gc.collect()
                        samples.append((n, round(rss_mb(), 1)))
                        if trace:
                            snapshots.append(tracemalloc.take_snapshot())
                        log(
                            f"  cycle {n}: rss {samples[-1][1]} MB, polled so far {polled:,}, {time.perf_counter() - started:.0f} s"
                        )
            finally:
                await app.providers.aclose()
            if trace and len(snapshots) > 2:
                for stat in snapshots[-1].compare_to(snapshots[1], "traceback")[:8]:
                    log(
                        f"  grew {stat.size_diff / 1024:.0f} KiB in {stat.count_diff:+} blocks at:\n    "
                        + "\n    ".join(stat.traceback.format()[-8:])
                    )
            figures["polled"] = polled
            figures["seconds_per_cycle"] = round((time.perf_counter() - started) / cycles, 4)
            return samples

        samples = asyncio.run(run_cycles())
        figures["notifications_sent"] = app.notifier.sent
        app.engine.dispose()
    figures.update(
        rss_samples=samples,
        rss_first_sample_mb=samples[0][1],
        rss_end_mb=samples[-1][1],
        peak_rss_mb=round(peak_rss_mb(), 1),
    )
    # Growth is measured from the first cycle that polled (warm); before it, no poll had run yet.
    figures["rss_start_mb"] = figures["rss_warm"][1] if "rss_warm" in figures else samples[0][1]
    return figures


# ----------------------------------------------------------------------------- 6 responsiveness


def responsiveness(shipments: int = 100_000, *, runs: int = 5) -> Result:
    """Wall time of `watcher list` and `watcher status` (fresh processes) on a big database."""
    result = Result("responsiveness")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            filter(
                None, [str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH")]
            )
        ),
    }
    with workdir() as tmp:
        database = dataset.database_copy(tmp, shipments, log=log)
        config = dataset.write_config(tmp, database=database)
        base = [sys.executable, "-m", "watcher"]
        help_text = subprocess.run(
            [*base, "--help"], stdout=subprocess.PIPE, text=True, env=env, check=False
        ).stdout
        commands = (
            {"list": ["list"]}
            if runs == 1
            else {"list": ["list"], "list --json": ["list", "--json"]}
        )
        if any(line.split()[:1] == ["status"] for line in help_text.splitlines()):
            commands["status"] = ["status"]
        else:
            result.notes.append("`watcher status` does not exist yet: only `list` measured")
        timings: dict[str, Any] = {}
        timings["python -c pass"] = _time_run([sys.executable, "-c", "pass"], env, runs)
        for name, argv in commands.items():
            if runs > 1:
                subprocess.run(
                    [*base, *argv, "--config", str(config)],
                    stdout=subprocess.DEVNULL,
                    env=env,
                    check=False,
                )  # warm the page cache
            timings[name] = _time_run(
                [*base, *argv, "--config", str(config)], env, runs, ok_codes=(0, 1)
            )
        for name in commands:
            wall = timings[name]["median_s"]
            result.check(
                f"watcher {name} ({shipments:,} shipments)",
                "<= 0.5 s",
                f"{wall:.3f} s",
                wall <= 0.5,
            )
    result.figures.update(shipments=shipments, runs=runs, timings=timings)
    return result


def _time_run(
    argv: list[str], env: dict[str, str], runs: int, ok_codes: tuple[int, ...] = (0,)
) -> dict[str, Any]:
    """Median wall time of a fresh process (status exits 1 when no daemon runs: still an answer)."""
    times, lines = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(argv, capture_output=True, env=env, check=False)
        times.append(time.perf_counter() - started)
        if done.returncode not in ok_codes:
            raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr.decode()[-500:]}")
        lines = done.stdout.count(b"\n")
    return {
        "median_s": round(statistics.median(times), 4),
        "min_s": round(min(times), 4),
        "output_lines": lines,
    }


SCENARIOS: dict[str, Callable[..., Result]] = {
    "quota": quota,
    "throughput": throughput,
    "ingest": ingest,
    "evaluate": evaluate,
    "memory": memory,
    "responsiveness": responsiveness,
}


def _push(**kwargs: Any) -> Result:
    from bench.push import push  # imports this module: loaded on use

    return push(**kwargs)


SCENARIOS["push"] = _push
