"""The `watcher` command tree (click): commands, options, help texts with an example each.

Each command calls its `cmd_*` function with keyword arguments named after its parameters
(`--json` is `as_json`, `--no-poll` is `poll=False`) plus `config`, so the `cmd_*` functions
know nothing of click. Global options (`--config`, `-v/-q`, `--color/--no-color`) are accepted
before or after the command (the building blocks are in `framework.py`). Adding a command is
one `register(...)` call, e.g.:

    register(root, "archive", shipments.cmd_archive, "stop polling a parcel",
             "watcher archive LP00123456789012", TRACKING, opt("--at", metavar="WHEN"))
"""

from __future__ import annotations

import click

from watcher.cli import (
    alerts,
    case,
    evidence,
    notifications,
    operations,
    parcels,
    serve,
    shipments,
    tools,
)
from watcher.cli.framework import (
    CONTEXT,
    NOW,
    POSITIVE,
    TRACKING,
    OrderedGroup,
    arg,
    examples,
    global_params,
    group,
    json_opt,
    opt,
    register,
)

# ---------------------------------------------------------------- the tree


def _version() -> str:
    from watcher import __version__

    return __version__


@click.group(
    cls=OrderedGroup,
    context_settings=CONTEXT,
    invoke_without_command=True,
    epilog=examples(
        "watcher add LP00123456789012 --label 'USB hub' --protection-days 40",
        "watcher check",
        "watcher list",
        "watcher --config ~/watcher.toml status",
    )
    + "\n\nShell completion: `watcher completion bash|zsh|fish`. Manual: docs/cli.md, `man watcher`.",
)
@click.version_option(_version(), "--version", prog_name="watcher", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context) -> int:
    """Watch marketplace parcels and say what to do when a delivery goes wrong."""
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
        return 2
    return 0


for _param in global_params():
    cli.params.append(_param)


def build() -> click.Group:
    """Register every command (once) and return the tree."""
    if cli.commands:
        return cli
    add_daemon_commands(cli)
    add_shipment_commands(cli)
    add_check(cli)
    add_mark_commands(cli)
    add_case_command(cli)
    add_evidence_command(cli)
    add_alert_commands(cli)
    add_notification_commands(cli)
    add_operation_commands(cli)
    add_serve_command(cli)
    add_tool_commands(cli)
    return cli


def add_daemon_commands(root: click.Group) -> None:
    """`run`, `demo`."""
    register(
        root,
        "run",
        operations.cmd_run,
        "run the daemon",
        "watcher run --config /etc/watcher/watcher.toml",
    )
    register(
        root,
        "demo",
        operations.cmd_demo,
        "run the main job on bundled demo parcels (no network, no keys)",
        "watcher demo",
        json_opt("the alerts"),
    )


def parcel_options(*, editing: bool) -> list[click.Parameter]:
    """The parcel fields `add` takes and `edit` changes."""
    insured = (
        opt("--insured/--not-insured", default=None, help="premium/insured shipping")
        if editing
        else opt(
            "--insured", is_flag=True, help="premium/insured shipping (courier claims pay better)"
        )
    )
    return [
        opt("--label", help="a name you recognise the parcel by, e.g. 'USB hub'"),
        opt("--marketplace", help="rules profile (default: aliexpress)"),
        opt("--order-id", help="the marketplace's order number"),
        opt("--ordered-at", metavar="DATE", help="order date, YYYY-MM-DD"),
        opt("--protection-ends", metavar="DATE", help="buyer-protection end, YYYY-MM-DD"),
        opt(
            "--protection-days",
            type=click.IntRange(0, 365),
            metavar="N",
            help="buyer protection ends in N days (as the order page says); instead of --protection-ends",
        ),
        opt(
            "--max-delivery-days",
            type=click.IntRange(1, 365),
            metavar="N",
            help="promised delivery, days after ordering",
        ),
        opt("--country", help="destination country (ISO 3166 alpha-2, e.g. DE)"),
        insured,
    ]


def add_shipment_commands(root: click.Group) -> None:
    """`add`, `edit`, `list`, `show`."""
    register(
        root,
        "add",
        shipments.cmd_add,
        "start watching a parcel (a tracking number or a pasted tracking-page URL)",
        (
            "watcher add LP00123456789012 --label 'USB hub' --protection-days 40",
            "watcher add 'https://t.17track.net/en#nums=RR123456785CN'",
        ),
        arg("tracking_number", metavar="TRACKING|URL"),
        *parcel_options(editing=False),
        opt("--city", help="destination city"),
        opt("--postcode", help="destination postcode"),
        opt(
            "--provider",
            "providers",
            multiple=True,
            help="adapter to ask (repeatable; default: default_providers)",
        ),
    )
    register(
        root,
        "edit",
        parcels.cmd_edit,
        "change a parcel's label, order, dates, protection end, marketplace, country or insurance",
        "watcher edit LP00123456789012 --label 'USB hub (blue)' --protection-days 12",
        TRACKING,
        *parcel_options(editing=True),
    )
    register(
        root,
        "list",
        shipments.cmd_list,
        "list watched parcels with the next action and its date",
        ("watcher list", "watcher list --all --json | jq '.[].status'"),
        opt("--all", "include_archived", is_flag=True, help="include archived parcels"),
        json_opt("the parcels"),
        opt("--limit", type=POSITIVE, metavar="N", help="only the first N (oldest first)"),
    )
    register(
        root,
        "show",
        shipments.cmd_show,
        "show a parcel's milestones, timeline and open alerts",
        ("watcher show LP00123456789012", "watcher show LP00123456789012 --raw"),
        TRACKING,
        json_opt("the parcel and its events"),
        opt(
            "--raw",
            is_flag=True,
            help="every provider's original events next to the merged timeline",
        ),
    )


def add_check(root: click.Group) -> None:
    """`check`: one full cycle now (or at `--now`)."""
    register(
        root,
        "check",
        alerts.cmd_check,
        "sync, poll once, evaluate every parcel and print open alerts",
        ("watcher check", "watcher check --no-poll --now 2026-12-01T09:00"),
        NOW,
        json_opt("the open alerts"),
        opt(
            "--no-poll",
            "poll",
            is_flag=True,
            flag_value=False,
            default=True,
            help="evaluate stored events only",
        ),
        opt(
            "--no-notify",
            "send",
            is_flag=True,
            flag_value=False,
            default=True,
            help="do not send notifications",
        ),
        description=(
            "Sync the config, poll every active parcel once, evaluate it and print the open "
            "alerts. Exits 1 when every poll failed (nothing could be checked)."
        ),
    )


def add_mark_commands(root: click.Group) -> None:
    """`received`, `not-received`, `archive`, `unarchive`, `remove`: the owner reports a moment."""
    at = opt("--at", metavar="WHEN", help="when (ISO 8601, local if no offset; default: now)")
    for name, handler, text in (
        ("received", shipments.cmd_received, "record that you have the parcel"),
        (
            "not-received",
            shipments.cmd_not_received,
            "record that a parcel marked delivered never arrived",
        ),
        ("archive", shipments.cmd_archive, "stop polling a parcel (history is kept)"),
    ):
        extra = (
            [opt("--force", is_flag=True, help="even though tracking does not say delivered")]
            if name == "not-received"
            else []
        )
        register(
            root, name, handler, text, f"watcher {name} LP00123456789012", TRACKING, at, *extra
        )
    register(
        root,
        "unarchive",
        parcels.cmd_unarchive,
        "watch an archived parcel again",
        "watcher unarchive LP00123456789012",
        TRACKING,
    )
    register(
        root,
        "remove",
        parcels.cmd_remove,
        "delete a parcel and its history (a JSON copy is kept in the state directory)",
        "watcher remove LP00123456789012 --yes",
        TRACKING,
        opt("--yes", is_flag=True, help="really remove (without it, only says what would go)"),
    )


def add_case_command(root: click.Group) -> None:
    """`case`: the buyer's case — show it, or record a step on the ladder."""
    register(
        root,
        "case",
        case.cmd_case,
        "show the buyer's case, or record a step on the ladder",
        (
            "watcher case LP00123456789012",
            'watcher case LP00123456789012 dispute-opened --note "seller silent"',
            "watcher case LP00123456789012 extension-granted --until 2026-12-20",
        ),
        TRACKING,
        arg("step", required=False, metavar="[STEP]"),
        opt(
            "--at",
            metavar="WHEN",
            help="when it happened (ISO 8601, local if no offset; default: now)",
        ),
        opt(
            "--until", metavar="DATE", help="extension-granted: the new protection end (YYYY-MM-DD)"
        ),
        opt("--note", metavar="TEXT", help="any text to keep with the step"),
        opt("--by", type=click.Choice(("buyer", "seller")), help="claim-filed: who filed it"),
        opt("--amount", metavar="full|partial|X", help="refunded: how much"),
        opt(
            "--undo", is_flag=True, help="take back the latest such step (it stays in the history)"
        ),
        opt(
            "--force",
            is_flag=True,
            help="not-received on a parcel tracking does not call delivered",
        ),
        NOW,
        json_opt("the case"),
        description="Show the buyer's case, or record a step on the ladder.\n\nSTEP is one of: "
        + case.STEPS_HELP
        + ".",
    )


def add_evidence_command(root: click.Group) -> None:
    """`evidence`: the printable report a buyer attaches to a dispute or claim."""
    register(
        root,
        "evidence",
        evidence.cmd_evidence,
        "write a parcel's evidence report (HTML + JSON, optionally PDF) for a dispute",
        (
            "watcher evidence LP00123456789012 --out ~/disputes",
            "watcher evidence LP00123456789012 --out ~/disputes --pdf",
        ),
        TRACKING,
        opt("--out", required=True, metavar="DIR", help="folder to write the report into"),
        opt("--pdf", is_flag=True, help="also print it to PDF with headless chromium"),
        NOW,
        json_opt("where the files are and what they hold"),
    )


def add_serve_command(root: click.Group) -> None:
    """`serve`: the web pages and JSON API."""
    register(
        root,
        "serve",
        serve.cmd_serve,
        "serve the web pages and JSON API (docs/web.md)",
        ("watcher serve", "watcher serve --listen 0.0.0.0:8750", "watcher serve --hash-password"),
        opt(
            "--listen",
            metavar="HOST:PORT",
            help="where to listen (default: [web] listen, 127.0.0.1:8750); beyond loopback needs"
            " [web] password_hash or token_hash",
        ),
        opt(
            "--hash-password",
            is_flag=True,
            help="read a password or token and print its hash for [web] password_hash / token_hash",
        ),
    )


def add_alert_commands(root: click.Group) -> None:
    """`alerts`, `advise`."""
    register(
        root,
        "alerts",
        alerts.cmd_alerts,
        "list open and recently resolved alerts",
        ("watcher alerts", "watcher alerts --days 30 --json"),
        opt(
            "--days",
            type=click.IntRange(0, 3650),
            default=14,
            show_default=True,
            help="show alerts resolved in the last N days",
        ),
        json_opt("the alerts"),
    )
    register(
        root,
        "advise",
        alerts.cmd_advise,
        "what to do about a parcel, by when, with which evidence",
        "watcher advise LP00123456789012",
        TRACKING,
        NOW,
    )


def add_notification_commands(root: click.Group) -> None:
    """`notifications` and `notify test`."""
    register(
        root,
        "notifications",
        notifications.cmd_notifications,
        "list recent notification deliveries and failures",
        ("watcher notifications", "watcher notifications --state failed"),
        opt("--limit", type=POSITIVE, default=30, show_default=True, help="how many, newest first"),
        json_opt("the deliveries"),
        opt("--target", help="only this notification target"),
        opt(
            "--state",
            type=click.Choice(("sent", "pending", "failed")),
            help="only sent, waiting, or failed ones",
        ),
    )
    notify = group(root, "notify", "notification tools", "watcher notify test email")
    register(
        notify,
        "test",
        notifications.cmd_notify_test,
        "send a test message to one or all targets",
        ("watcher notify test", "watcher notify test email"),
        arg("target", required=False, metavar="[TARGET]"),
        json_opt("the outcomes"),
    )


def add_operation_commands(root: click.Group) -> None:
    """`providers`, `config check`, `status`, `db backup`, `db export`."""
    register(
        root,
        "providers",
        operations.cmd_providers,
        "configured tracking providers and their health (and quota where known)",
        "watcher providers --no-quota",
        json_opt("the providers"),
        opt(
            "--no-quota",
            "quota",
            is_flag=True,
            flag_value=False,
            default=True,
            help="do not ask providers for their quota",
        ),
    )
    config = group(root, "config", "configuration tools", "watcher config check")
    register(
        config,
        "check",
        operations.cmd_config_check,
        "validate the configuration, providers and notification URLs",
        "watcher --config ~/.config/watcher/watcher.toml config check",
    )
    register(
        root,
        "status",
        operations.cmd_status,
        "is watcher alive and healthy? (exit 1 when not: a monitoring check)",
        ("watcher status", "watcher status --json"),
        json_opt("the report"),
    )
    database = group(root, "db", "database tools", "watcher db export > watcher.json")
    register(
        database,
        "backup",
        operations.cmd_db_backup,
        "copy the database to PATH (SQLite file, or JSON for PostgreSQL)",
        "watcher db backup ~/watcher-backup.db",
        arg("path", metavar="PATH"),
    )
    register(
        database,
        "export",
        operations.cmd_db_export,
        "print shipments, events, alerts and notifications as JSON",
        "watcher db export > watcher.json",
        opt(
            "--json",
            "as_json",
            is_flag=True,
            help="JSON (the default and only format; accepted for old scripts)",
        ),
    )


def add_tool_commands(root: click.Group) -> None:
    """`completion`, `man`."""
    register(
        root,
        "completion",
        tools.cmd_completion,
        "print the shell completion script for bash, zsh or fish",
        (
            'eval "$(watcher completion bash)"',
            "watcher completion fish > ~/.config/fish/completions/watcher.fish",
        ),
        arg("shell", type=click.Choice(("bash", "zsh", "fish"))),
    )
    register(
        root,
        "man",
        tools.cmd_man,
        "write a man page for every command (troff) into a folder",
        "watcher man --out ~/.local/share/man/man1",
        opt("--out", "out", metavar="DIR", required=True, help="folder to write watcher*.1 into"),
    )
