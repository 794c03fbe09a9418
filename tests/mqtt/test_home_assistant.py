"""Home Assistant over MQTT discovery, against a real mosquitto started by the test."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import aiomqtt
import pytest

from tests.kits.broker import Broker, retained
from tests.kits.common import T0, write_replay
from tests.kits.daemon import DaemonProcess, daemon_env, number, wait_until
from tests.kits.daemon import write_config as write_daemon_config
from tests.kits.daemon import write_replay as write_daemon_replay
from watcher.config import MqttConfig, load_settings
from watcher.domain.clock import FrozenClock
from watcher.mqtt.publisher import Publisher
from watcher.notify.transport import RecordingNotifier
from watcher.service.app import App
from watcher.store import shipments

LAMP, CABLE = "LP00123456789012", "LP00123456789029"
CONFIG = f"""
[[shipments]]
tracking_number = "{LAMP}"
label = "Lamp"
destination = {{ country = "DE" }}

[[shipments]]
tracking_number = "{CABLE}"
label = "USB cable"
destination = {{ country = "DE" }}
"""
ORIGIN = {"time": "2026-10-20T10:00:00+08:00", "description": "Departed from origin country"}
FILTERS = ("homeassistant/#", "watcher/#")


def make_app(make_config, replay_dir: Path) -> App:
    """Lamp: delivered without a destination scan (an alert to act on); cable: out for delivery."""
    write_replay(
        replay_dir,
        LAMP,
        [ORIGIN, {"time": "2026-11-01T09:00:00+00:00", "description": "Delivered to neighbour"}],
    )
    write_replay(
        replay_dir,
        CABLE,
        [ORIGIN, {"time": "2026-11-01T08:00:00+01:00", "description": "Out for delivery"}],
    )
    app = App(
        load_settings(make_config(CONFIG)), clock=FrozenClock(T0), notifier=RecordingNotifier()
    )
    app.sync_config()
    asyncio.run(app.cycle(force=True))
    return app


def publisher(app: App, port: int, **extra) -> Publisher:
    config = MqttConfig(enabled=True, host="127.0.0.1", port=port, interval_seconds=3600, **extra)
    return Publisher(config, sessions=app.sessions, clock=app.clock, timezone="Europe/Berlin")


def archive(app: App, number: str) -> None:
    with app.sessions.begin() as session:
        shipments.find_shipment(session, number).archived_at = T0


def test_parcels_summaries_availability_and_removal(
    make_config, replay_dir: Path, broker: Broker
) -> None:
    app = make_app(make_config, replay_dir)
    pub = publisher(app, broker.port)
    lamp_config = f"homeassistant/sensor/watcher/parcel_{LAMP.lower()}/config"
    cable_config = f"homeassistant/sensor/watcher/parcel_{CABLE.lower()}/config"

    async def scenario() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
        stop = asyncio.Event()
        task = asyncio.create_task(pub.run(stop))
        await pub.published.wait()
        first = await retained(broker.port, *FILTERS)
        pub.published.clear()
        archive(app, CABLE)
        pub.nudge()
        await pub.published.wait()
        second = await retained(broker.port, *FILTERS)
        stop.set()
        await task
        return first, second, await retained(broker.port, *FILTERS)

    first, second, stopped = asyncio.run(scenario())
    assert first["watcher/availability"] == "online"
    config = json.loads(first[lamp_config])
    assert config["name"] == "Lamp"
    assert config["state_topic"] == f"watcher/parcel/parcel_{LAMP.lower()}/state"
    assert config["availability_topic"] == "watcher/availability"
    assert config["unique_id"] == f"watcher_parcel_{LAMP.lower()}"
    assert first[config["state_topic"]] == "delivered"
    attributes = json.loads(first[config["json_attributes_topic"]])
    # A "delivered" scan leaves about 5 days of protection: too little to ask the courier first.
    assert attributes["next_action"] == "open_dispute" and attributes["act_by"]
    assert attributes["last_event"] == "Delivered to neighbour"
    assert attributes["last_event_at"].startswith("2026-11-01T09:00")
    assert first[f"watcher/parcel/parcel_{CABLE.lower()}/state"] == "out_for_delivery"
    assert first["watcher/summary/needing_action"] == "1"
    assert first["watcher/summary/arriving_today"] == "1"
    assert first["watcher/summary/delivered_today"] == "1"
    assert json.loads(first["homeassistant/sensor/watcher/needing_action/config"])["state_topic"]
    # Archived: the sensor's retained config and states are gone, the summary follows.
    assert cable_config in first and cable_config not in second
    assert f"watcher/parcel/parcel_{CABLE.lower()}/state" not in second
    assert second["watcher/summary/arriving_today"] == "0"
    assert lamp_config in second
    assert stopped["watcher/availability"] == "offline"


def test_parcel_archived_while_stopped_is_removed_at_next_start(
    make_config, replay_dir: Path, broker: Broker
) -> None:
    app = make_app(make_config, replay_dir)

    async def run_once() -> int:
        pub = publisher(app, broker.port)
        stop = asyncio.Event()
        task = asyncio.create_task(pub.run(stop))
        await pub.published.wait()
        stop.set()
        await task
        return len(await retained(broker.port, "homeassistant/sensor/watcher/+/config"))

    assert asyncio.run(run_once()) == 5  # two parcels and three summaries
    archive(app, LAMP)
    assert asyncio.run(run_once()) == 4


def test_only_changes_are_published_again(make_config, replay_dir: Path, broker: Broker) -> None:
    app = make_app(make_config, replay_dir)
    pub = publisher(app, broker.port)

    async def scenario() -> tuple[int, int]:
        async with pub.client() as client:
            first = await pub.publish_changes(client)
            again = await pub.publish_changes(client)
        return first, again

    first, again = asyncio.run(scenario())
    assert first == 12 and again == 0  # 3 topics per parcel, 2 per summary


def test_password_is_used_and_never_logged(
    make_config, replay_dir: Path, tmp_path: Path, caplog
) -> None:
    secret = "mqtt-pass-Zq9"
    directory = tmp_path / "auth-broker"
    directory.mkdir()
    auth_broker = Broker(directory, password=secret).start()
    try:
        app = make_app(make_config, replay_dir)
        good = publisher(app, auth_broker.port, username="watcher", password=secret)
        bad = publisher(app, auth_broker.port, username="watcher", password="wrong-Zq9")

        async def scenario() -> dict[str, str]:
            with pytest.raises(aiomqtt.MqttError) as refused:
                async with bad.client():
                    pass
            assert "wrong-Zq9" not in str(refused.value)
            stop = asyncio.Event()
            task = asyncio.create_task(good.run(stop))
            await good.published.wait()
            stop.set()
            await task
            return await retained(auth_broker.port, *FILTERS, username="watcher", password=secret)

        with caplog.at_level(logging.DEBUG):
            seen = asyncio.run(scenario())
        assert seen["watcher/summary/needing_action"] == "1"
        assert secret not in caplog.text
    finally:
        auth_broker.stop()


def test_daemon_publishes_and_last_will_says_offline(tmp_path: Path, broker: Broker) -> None:
    """`watcher run` with `[mqtt] enabled`; a killed daemon is reported offline by the broker."""
    first = number(801)
    write_daemon_replay(tmp_path / "replay", [first], "delivered")
    mqtt = f'[mqtt]\nenabled = true\nhost = "127.0.0.1"\nport = {broker.port}\n'
    config = write_daemon_config(
        tmp_path, database_url=f"sqlite:///{tmp_path / 'watcher.db'}", numbers=[first], service=mqtt
    )
    daemon = DaemonProcess(config, daemon_env(tmp_path)).start()
    state = f"watcher/parcel/parcel_{first.lower()}/state"
    try:
        seen = wait_until(
            lambda: (
                (found := asyncio.run(retained(broker.port, *FILTERS))).get(state) == "delivered"
                and found
            ),
            60,
            what="the daemon's parcel in Home Assistant",
            daemons=[daemon],
        )
        assert seen["watcher/availability"] == "online"
        daemon.kill()
        wait_until(
            lambda: (
                asyncio.run(retained(broker.port, "watcher/availability")).get(
                    "watcher/availability"
                )
                == "offline"
            ),
            30,
            what="the last will",
        )
    finally:
        if daemon.alive():
            daemon.stop()


def test_settings_section_reads_password_from_environment(monkeypatch) -> None:
    monkeypatch.setenv("WATCHER_MQTT__PASSWORD", "from-env")
    monkeypatch.setenv("WATCHER_MQTT__ENABLED", "true")
    settings = load_settings(None, use_default_search=False)
    assert settings.mqtt.enabled and settings.mqtt.password.get_secret_value() == "from-env"
    assert "from-env" not in repr(settings.mqtt)


def test_interval_must_be_positive(make_config) -> None:
    from watcher.domain.errors import ConfigError

    with pytest.raises(ConfigError, match=r"mqtt\.interval_seconds"):
        load_settings(make_config("[mqtt]\ninterval_seconds = 0\n"))


def test_snapshot_reads_in_chunks_and_finds_each_parcels_newest_event(
    make_config, replay_dir: Path, monkeypatch
) -> None:
    """Many parcels are read in chunks (SQLite caps parameters); the result does not change."""
    from watcher.mqtt import snapshot

    app = make_app(make_config, replay_dir)
    with app.sessions() as session:
        whole = snapshot.read_parcels(session)
        monkeypatch.setattr(snapshot, "CHUNK", 1)
        chunked = snapshot.read_parcels(session)
    app.engine.dispose()
    assert chunked == whole and len(whole) == 2
    by_number = {p.tracking_number: p for p in whole}
    assert by_number[LAMP].last_event == "Delivered to neighbour"
    assert by_number[CABLE].last_event == "Out for delivery"
