"""The MQTT side: keeps Home Assistant's retained discovery messages in line with the database.

Connects with a last will ("offline" on the availability topic), says "online", removes the
sensors of parcels archived meanwhile, then publishes only what changed, every
`interval_seconds` or when nudged (after each daemon cycle). A lost broker is retried with
backoff; the password is never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from zoneinfo import ZoneInfo

import aiomqtt
from sqlalchemy.orm import Session, sessionmaker

from watcher.config import MqttConfig
from watcher.domain.clock import Clock
from watcher.mqtt.discovery import Topics, all_messages, removals
from watcher.mqtt.snapshot import read_parcels

_LOGGER = logging.getLogger(__name__)

#: Reconnection backoff bounds (seconds).
RETRY_FIRST, RETRY_CAP = 1.0, 60.0
#: How long to wait for the broker's retained configs at start-up.
SYNC_TIMEOUT = 5.0


class Publisher:
    """Publishes parcels to Home Assistant until `stop` is set."""

    def __init__(
        self,
        config: MqttConfig,
        *,
        sessions: sessionmaker[Session],
        clock: Clock,
        timezone: str,
        client_factory: Callable[..., aiomqtt.Client] = aiomqtt.Client,
    ) -> None:
        self.config = config
        self.topics = Topics(prefix=config.discovery_prefix, base=config.base_topic)
        self._sessions = sessions
        self._clock = clock
        self._tz = ZoneInfo(timezone)
        self._client_factory = client_factory
        self._nudged = asyncio.Event()
        self._sent: dict[str, str] = {}
        self._configs: set[str] = set()  # parcel config topics on the broker
        #: Set after each round of publishing (tests and the benchmark wait on it).
        self.published = asyncio.Event()

    def nudge(self) -> None:
        """Publish soon (something may have changed)."""
        self._nudged.set()

    def client(self) -> aiomqtt.Client:
        password = self.config.password.get_secret_value() if self.config.password else None
        tls = aiomqtt.TLSParameters() if self.config.tls else None
        return self._client_factory(
            self.config.host,
            self.config.port,
            username=self.config.username,
            password=password,
            identifier=self.config.client_id,
            will=aiomqtt.Will(self.topics.availability, "offline", qos=1, retain=True),
            tls_params=tls,
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Stay connected and publishing until `stop`; broker failures are retried with backoff."""
        delay, failures = RETRY_FIRST, 0
        where = f"{self.config.host}:{self.config.port}"
        while not stop.is_set():
            try:
                async with self.client() as client:
                    _LOGGER.info("MQTT: connected to %s", where)
                    delay, failures = RETRY_FIRST, 0
                    await self._serve(client, stop)
            except aiomqtt.MqttError as exc:
                failures += 1
                log = _LOGGER.warning if failures == 1 else _LOGGER.debug
                log("MQTT: broker %s unavailable (%s); retrying in %gs", where, _safe(exc), delay)
                await _wait(stop, delay)
                delay = min(RETRY_CAP, delay * 2)

    async def _serve(self, client: aiomqtt.Client, stop: asyncio.Event) -> None:
        await client.publish(self.topics.availability, "online", qos=1, retain=True)
        self._sent = {}
        self._configs = await self._retained_configs(client)
        try:
            while not stop.is_set():
                await self.publish_changes(client)
                self._nudged.clear()
                stopper = asyncio.ensure_future(stop.wait())
                nudge = asyncio.ensure_future(self._nudged.wait())
                await asyncio.wait(
                    {stopper, nudge},
                    timeout=self.config.interval_seconds,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                stopper.cancel()
                nudge.cancel()
        finally:
            # A clean disconnect does not fire the will: say "offline" ourselves.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    client.publish(self.topics.availability, "offline", qos=1, retain=True), 2
                )

    async def publish_changes(self, client: aiomqtt.Client) -> int:
        """Publish what changed since the last round (and remove archived parcels); returns the count."""
        with self._sessions() as session:
            parcels = read_parcels(session)
        current = all_messages(parcels, self._clock.now(), self._tz, self.topics)
        changes = removals(self._configs, current, self.topics)
        changes.update(current)
        count = 0
        for topic, payload in changes.items():
            if self._sent.get(topic) == payload:
                continue
            await client.publish(topic, payload, qos=1, retain=True)
            self._sent[topic] = payload
            count += 1
        self._configs = {t for t in current if t.endswith("/config") and "/parcel_" in t}
        if count:
            _LOGGER.debug("MQTT: published %d messages for %d parcels", count, len(parcels))
        self.published.set()
        return count

    async def _retained_configs(self, client: aiomqtt.Client) -> set[str]:
        """Parcel configs retained on the broker (from earlier runs), to remove archived ones.

        Reads until a marker published after subscribing comes back: the broker sends the
        retained messages of a subscription before it.
        """
        marker = f"{self.topics.base}/sync/{uuid.uuid4().hex}"
        found: set[str] = set()
        await client.subscribe(self.topics.config_filter, qos=1)
        await client.subscribe(marker, qos=1)
        await client.publish(marker, "sync", qos=1)
        try:
            async with asyncio.timeout(SYNC_TIMEOUT):
                async for message in client.messages:
                    topic = str(message.topic)
                    if topic == marker:
                        break
                    if message.payload and "/parcel_" in topic:
                        found.add(topic)
        except TimeoutError:
            _LOGGER.debug("MQTT: no sync marker back; archived parcels are removed next time")
        await client.unsubscribe(self.topics.config_filter)
        await client.unsubscribe(marker)
        return found


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


def _safe(exc: BaseException) -> str:
    """An MQTT error without anything that could carry the password (aiomqtt never includes it)."""
    return str(exc)[:200] or type(exc).__name__
