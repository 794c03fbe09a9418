"""Notification commands: `notifications` (the outbox's history) and `notify test`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from watcher.cli.common import EXIT_FAILURE, EXIT_OK, load, opened_app, print_json
from watcher.domain.errors import InputError
from watcher.domain.timefmt import iso

if TYPE_CHECKING:
    from watcher.store.tables import NotificationRow


def cmd_notifications(
    *, config: str | None, limit: int, as_json: bool, target: str | None, state: str | None
) -> int:
    """`watcher notifications`: recent deliveries and failures, newest first."""
    from watcher.notify.outbox import recent, row_state

    with opened_app(load(config)) as app, app.sessions() as session:
        rows = recent(session, limit=limit, target=target, state=state)
    data = [notification_json(row) for row in rows]
    if as_json:
        print_json(data)
    elif not data:
        print("No notifications yet.")
    else:
        for row, item in zip(rows, data, strict=True):
            print(notification_line(item, row_state(row)))
    return EXIT_OK


def notification_json(row: NotificationRow) -> dict[str, Any]:
    """The `notifications --json` shape of an outbox row (a contract: extend, never break)."""
    return {
        "id": row.id,
        "target": row.target,
        "event": row.event,
        "severity": row.severity,
        "title": row.title,
        "created_at": iso(row.created_at),
        "due_at": iso(row.due_at),
        "sent_at": iso(row.sent_at),
        "failed_at": iso(row.failed_at),
        "attempts": row.attempts,
        "last_error": row.last_error,
        "digest": bool((row.payload or {}).get("digest")),
        "state": "sent" if row.sent_at else "failed" if row.failed_at else "pending",
    }


def notification_line(item: dict[str, Any], state: str) -> str:
    """One `watcher notifications` line: when, state, target, title, and why it is not sent yet."""
    when = item["sent_at"] or item["created_at"]
    note = ""
    if state in ("pending", "retrying"):
        note = f"  (due {item['due_at']}" + (", digest" if item["digest"] else "") + ")"
    if item["last_error"] and state != "sent":
        note += f"  [attempt {item['attempts']}: {item['last_error']}]"
    return f"{when}  {state:<8} {item['target']:<12} {item['event']:<9} {item['title']}{note}"


def cmd_notify_test(*, config: str | None, target: str | None, as_json: bool) -> int:
    """`watcher notify test`: send a test message to one or all targets; exit 1 unless all arrived."""
    from watcher.notify.dispatcher import send_test

    with opened_app(load(config)) as app:
        names = app.notifier.targets()
        if target and target not in names:
            known = ", ".join(names) or "none configured"
            raise InputError(f"{target}: no such notification target (known: {known})")
        results = send_test(
            [target] if target else names,
            sessions=app.sessions,
            notifier=app.notifier,
            router=app.router(),
            clock=app.clock,
        )
    if as_json:
        print_json(
            [
                {"target": name, "ok": d.ok, "error": d.error, "services": len(d.done)}
                for name, d in results
            ]
        )
    elif not results:
        print("No notification targets configured (see [notify.targets] in the config).")
    else:
        for name, delivery in results:
            services = f"{len(delivery.done)} service{'s' if len(delivery.done) != 1 else ''}"
            print(
                f"{name}: ok ({services})" if delivery.ok else f"{name}: FAILED: {delivery.error}"
            )
    return EXIT_OK if results and all(d.ok for _n, d in results) else EXIT_FAILURE
