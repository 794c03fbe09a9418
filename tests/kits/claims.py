"""Claim scenarios shared by the SQLite and PostgreSQL tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from tests.kits.daemon import number
from watcher.store import claims, notifications, shipments
from watcher.store.tables import NotificationRow, ShipmentRow

LEASE = timedelta(minutes=5)


def add_due_shipments(sessions: sessionmaker[Session], n: int) -> datetime:
    now = datetime.now(UTC)
    with sessions.begin() as session:
        for i in range(n):
            session.add(
                shipments.new_shipment_row(
                    number(900 + i), {}, now - timedelta(minutes=1), source="cli"
                )
            )
        for i in range(n):
            notifications.enqueue_notification(
                session,
                target="default",
                event="opened",
                title=f"t{i}",
                body="b",
                dedupe_key=f"k{i}",
                now=now - timedelta(minutes=1),
            )
    return now


def claims_are_exclusive_and_leases_expire(sessions: sessionmaker[Session]) -> None:
    now = add_due_shipments(sessions, 6)
    with sessions() as a, sessions() as b:
        first = claims.claim_shipments(a, owner="a", now=now, lease=LEASE, limit=4)
        second = claims.claim_shipments(b, owner="b", now=now, lease=LEASE, limit=4)
        assert len(first) == 4 and len(second) == 2
        assert not {r.id for r in first} & {r.id for r in second}
        assert claims.claim_shipments(b, owner="b", now=now, lease=LEASE, limit=4) == []
        sent_a = claims.claim_notifications(a, owner="a", now=now, lease=LEASE, limit=5)
        sent_b = claims.claim_notifications(b, owner="b", now=now, lease=LEASE, limit=5)
        assert len(sent_a) == 5 and len(sent_b) == 1

    # "a" dies: its leases expire and the work is due again for "b".
    with sessions.begin() as session:
        session.query(ShipmentRow).filter(ShipmentRow.lease_owner == "a").update(
            {"lease_until": now - timedelta(seconds=1)}
        )
    with sessions() as b:
        taken = claims.claim_shipments(b, owner="b", now=now, lease=LEASE, limit=10)
        assert len(taken) == 4

    # Release only clears one's own lease; renew extends them; release_all frees the rest.
    with sessions.begin() as session:
        row = session.get(ShipmentRow, taken[0].id)
        claims.release(row, "a")
        assert row.lease_owner == "b"
        claims.release(row, "b")
        assert row.lease_owner is None
        assert claims.renew(session, "b", LEASE) == 5 + 1  # 5 shipments, 1 outbox row
        assert claims.release_all(session, owner="a") == 5  # a's outbox rows
        assert claims.release_all(session) == 6
    with sessions() as session:
        assert (
            session.query(NotificationRow).filter(NotificationRow.lease_owner.is_not(None)).count()
            == 0
        )


def orphans_of_dead_local_processes_are_released(sessions: sessionmaker[Session]) -> None:
    now = add_due_shipments(sessions, 3)
    with sessions() as s:
        claims.claim_shipments(s, owner="thishost:111:aaaa", now=now, lease=LEASE, limit=1)
        claims.claim_shipments(s, owner="thishost:222:bbbb", now=now, lease=LEASE, limit=1)
        claims.claim_shipments(s, owner="otherhost:111:cccc", now=now, lease=LEASE, limit=1)
    with sessions.begin() as session:
        freed = claims.release_orphans(session, hostname="thishost", alive=lambda pid: pid == 222)
    assert freed == 1
    with sessions() as session:
        owners = {r.lease_owner for r in session.query(ShipmentRow)}
    assert owners == {None, "thishost:222:bbbb", "otherhost:111:cccc"}
