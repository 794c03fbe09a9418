"""The `watcher` argument parser: commands, flags, help texts, and the argument types.

Each command's options reach its `cmd_*` function as keyword arguments named by `dest`
(`--json` is `as_json`, `--no-poll` is `poll=False`), so the commands know nothing of argparse.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from watcher.cli import alerts, notifications, operations, shipments
from watcher.cli.common import bounded_int

CONFIG_HELP = (
    "config file (default: $WATCHER_CONFIG, ./watcher.toml, ~/.config/watcher/watcher.toml,"
    " /etc/watcher/watcher.toml)"
)


def build_parser() -> argparse.ArgumentParser:
    """The parser; each command sets `handler` to its `cmd_*` function."""
    parser = argparse.ArgumentParser(
        prog="watcher",
        description="Watch marketplace parcels and say what to do when a delivery goes wrong.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", metavar="PATH", help=CONFIG_HELP)
    commands = Commands(parser.add_subparsers(metavar="COMMAND"), common)
    commands.add("run", operations.cmd_run, "run the daemon")
    p = commands.add(
        "demo",
        operations.cmd_demo,
        "run the main job on bundled demo parcels (no network, no keys)",
    )
    p.add_argument("--json", dest="as_json", action="store_true", help="print the alerts as JSON")
    # In the order `watcher --help` has always listed them.
    add_shipment_commands(commands)
    add_check(commands)
    add_mark_commands(commands)
    add_alert_commands(commands)
    add_notification_commands(commands)
    add_operation_commands(commands)
    return parser


class Commands:
    """Adds commands (or a group's actions) that all take `--config`."""

    def __init__(
        self,
        group: argparse._SubParsersAction[argparse.ArgumentParser],
        common: argparse.ArgumentParser,
        *,
        describe: bool = True,
    ) -> None:
        self.group, self.common, self.describe = group, common, describe

    def add(
        self, name: str, handler: Callable[..., int], help_text: str
    ) -> argparse.ArgumentParser:
        """A command run by `handler`; its help text is its description too (actions: help only)."""
        description = help_text if self.describe else None
        p = self.group.add_parser(
            name, parents=[self.common], help=help_text, description=description
        )
        p.set_defaults(handler=handler)
        return p

    def actions(self, name: str, help_text: str) -> Commands:
        """A command of actions, as `watcher db backup`."""
        group = self.group.add_parser(name, help=help_text).add_subparsers(metavar="ACTION")
        return Commands(group, self.common, describe=False)


def add_shipment_commands(commands: Commands) -> None:
    """`add`, `list`, `show`."""
    p = commands.add("add", shipments.cmd_add, "start watching a parcel")
    p.add_argument("tracking_number")
    p.add_argument("--label")
    p.add_argument("--marketplace", default=None)
    p.add_argument("--order-id")
    p.add_argument("--ordered-at", metavar="DATE")
    p.add_argument("--protection-ends", metavar="DATE")
    p.add_argument("--max-delivery-days", type=bounded_int(1, 365))
    p.add_argument("--country", help="destination country (ISO 3166 alpha-2)")
    p.add_argument("--city")
    p.add_argument("--postcode")
    p.add_argument(
        "--provider", action="append", dest="providers", help="adapter to ask (repeatable)"
    )
    p.add_argument(
        "--insured",
        action="store_true",
        help="premium/insured shipping (courier claims pay better)",
    )

    p = commands.add("list", shipments.cmd_list, "list watched parcels")
    p.add_argument(
        "--all", dest="include_archived", action="store_true", help="include archived parcels"
    )
    p.add_argument("--json", dest="as_json", action="store_true")
    p.add_argument(
        "--limit",
        type=positive_int,
        metavar="N",
        help="only the first N (oldest first, as always)",
    )

    p = commands.add("show", shipments.cmd_show, "show a parcel's timeline")
    p.add_argument("tracking_number")
    p.add_argument("--json", dest="as_json", action="store_true")
    p.add_argument(
        "--raw",
        action="store_true",
        help="every provider's original events next to the merged timeline",
    )


def add_check(commands: Commands) -> None:
    """`check`: one full cycle now (or at `--now`)."""
    p = commands.add(
        "check",
        alerts.cmd_check,
        "sync, poll once, evaluate every parcel and print open alerts",
    )
    p.add_argument("--now", metavar="ISO8601", help="evaluate as if it were this time")
    p.add_argument("--json", dest="as_json", action="store_true")
    p.add_argument(
        "--no-poll", dest="poll", action="store_false", help="evaluate stored events only"
    )
    p.add_argument(
        "--no-notify", dest="send", action="store_false", help="do not send notifications"
    )


def add_mark_commands(commands: Commands) -> None:
    """`received`, `not-received`, `archive`: the owner reports a moment."""
    for name, handler, text in (
        ("received", shipments.cmd_received, "record that you have the parcel"),
        (
            "not-received",
            shipments.cmd_not_received,
            "record that a parcel marked delivered never arrived",
        ),
        ("archive", shipments.cmd_archive, "stop polling a parcel (history is kept)"),
    ):
        p = commands.add(name, handler, text)
        p.add_argument("tracking_number")
        p.add_argument("--at", metavar="ISO8601", help="when (default: now)")


def add_alert_commands(commands: Commands) -> None:
    """`alerts`, `advise`."""
    p = commands.add("alerts", alerts.cmd_alerts, "list open and recently resolved alerts")
    p.add_argument(
        "--days",
        type=bounded_int(0, 3650),
        default=14,
        help="show alerts resolved in the last N days (default 14)",
    )
    p.add_argument("--json", dest="as_json", action="store_true")

    p = commands.add(
        "advise",
        alerts.cmd_advise,
        "what to do about a parcel, by when, with which evidence",
    )
    p.add_argument("tracking_number")
    p.add_argument("--now", metavar="ISO8601")


def add_notification_commands(commands: Commands) -> None:
    """`notifications` and `notify test`."""
    p = commands.add(
        "notifications",
        notifications.cmd_notifications,
        "list recent notification deliveries and failures",
    )
    p.add_argument("--limit", type=bounded_int(1, 1_000_000), default=30)
    p.add_argument("--json", dest="as_json", action="store_true")
    p.add_argument("--target", help="only this notification target")
    p.add_argument(
        "--state",
        choices=("sent", "pending", "failed"),
        help="only sent, waiting, or failed ones",
    )

    notify = commands.actions("notify", "notification tools")
    p = notify.add(
        "test", notifications.cmd_notify_test, "send a test message to one or all targets"
    )
    p.add_argument("target", nargs="?", metavar="TARGET", help="target name (default: all)")
    p.add_argument("--json", dest="as_json", action="store_true")


def add_operation_commands(commands: Commands) -> None:
    """`providers`, `config check`, `status`, `db backup`, `db export` (`run` and `demo` come first)."""
    p = commands.add(
        "providers",
        operations.cmd_providers,
        "configured tracking providers and their health (and quota where known)",
    )
    p.add_argument("--json", dest="as_json", action="store_true")
    p.add_argument(
        "--no-quota",
        dest="quota",
        action="store_false",
        help="do not ask providers for their quota",
    )

    config = commands.actions("config", "configuration tools")
    config.add("check", operations.cmd_config_check, "validate the configuration")

    p = commands.add(
        "status",
        operations.cmd_status,
        "is the daemon alive and healthy? (exit code 1 when not: a monitoring check)",
    )
    p.add_argument("--json", dest="as_json", action="store_true")
    database = commands.actions("db", "database tools")
    p = database.add(
        "backup",
        operations.cmd_db_backup,
        "copy the database to PATH (SQLite file, or JSON for PostgreSQL)",
    )
    p.add_argument("path", metavar="PATH")
    p = database.add(
        "export", operations.cmd_db_export, "print shipments, events, alerts and notifications"
    )
    p.add_argument(
        "--json",
        dest="as_json",
        action="store_true",
        required=True,
        help="as JSON (the only format)",
    )


def positive_int(value: str) -> int:
    """An argparse type: a whole number of at least 1 (and at most a billion: SQL's limit)."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {value[:40]!r}")
    if number > 1_000_000_000:
        raise argparse.ArgumentTypeError(f"at most 1000000000 (got {value[:40]})")
    return number


def _version() -> str:
    from watcher import __version__

    return __version__
