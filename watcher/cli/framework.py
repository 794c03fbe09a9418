"""Building blocks of the `watcher` command tree (click): parameters, global options, commands.

Each command calls its `cmd_*` function with keyword arguments named after its parameters
(`--json` is `as_json`, `--no-poll` is `poll=False`) plus `config`, so the `cmd_*` functions
know nothing of click. Global options (`--config`, `-v/-q`, `--color/--no-color`) are accepted
before or after the command.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

CONFIG_HELP = (
    "config file (default: $WATCHER_CONFIG, ./watcher.toml, ~/.config/watcher/watcher.toml,"
    " /etc/watcher/watcher.toml)"
)
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
#: Where the global options leave their values (`ctx.meta` is shared by the whole command line).
META = "watcher.options"


# ---------------------------------------------------------------- building blocks


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Keep a global option's value whether it came before or after the command."""
    if value is None or value is False or value == 0:
        return value
    store = ctx.meta.setdefault(META, {})
    store[param.name] = store.get(param.name, 0) + value if param.name == "verbose" else value
    return value


def global_params() -> list[click.Parameter]:
    """`--config`, `-v`, `-q`, `--color/--no-color`: on the group and on every command."""
    common: dict[str, Any] = {"expose_value": False, "callback": _remember}
    return [
        click.Option(["--config"], metavar="PATH", help=CONFIG_HELP, **common),
        click.Option(["-v", "--verbose"], count=True, help="more log lines (-vv: debug)", **common),
        click.Option(["-q", "--quiet"], is_flag=True, help="log errors only", **common),
        click.Option(
            ["--color/--no-color"],
            default=None,
            help="colour output (default: on a terminal, unless NO_COLOR is set)",
            **common,
        ),
    ]


def arg(name: str, **kwargs: Any) -> click.Argument:
    """A positional parameter."""
    return click.Argument([name], **kwargs)


def opt(*decls: str, **kwargs: Any) -> click.Option:
    """An option, with `show_default` when it has a default worth showing."""
    return click.Option(list(decls), **kwargs)


def json_opt(what: str = "the result") -> click.Option:
    return opt("--json", "as_json", is_flag=True, help=f"print {what} as JSON (ISO 8601 times)")


def examples(*lines: str) -> str:
    """An epilog of example command lines, kept as written by click's wrapper (`\\b`)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def invoker(handler: Callable[..., int], fixed: dict[str, Any]) -> Callable[..., int]:
    """The click callback: apply the global options, then `handler(config=..., **options)`."""

    def callback(**options: Any) -> int:
        ctx = click.get_current_context()
        config = apply_globals(ctx)
        return int(handler(config=config, **fixed, **options) or 0)

    callback.__name__ = handler.__name__
    callback.handler = handler  # type: ignore[attr-defined]  # for tests and `watcher man`
    return callback


def apply_globals(ctx: click.Context) -> str | None:
    """Set colour and verbosity from the global options; returns `--config`."""
    from watcher.cli import common, renderer

    values = ctx.meta.get(META, {})
    renderer.OPTIONS.color = values.get("color")
    common.VERBOSITY = -1 if values.get("quiet") else int(values.get("verbose", 0))
    return values.get("config")


def register(
    parent: click.Group,
    name: str,
    handler: Callable[..., int],
    summary: str,
    example: str | tuple[str, ...],
    *params: click.Parameter,
    description: str | None = None,
    **fixed: Any,
) -> click.Command:
    """Add command `name` to `parent`: it calls `handler` with its parameters as keywords."""
    lines = (example,) if isinstance(example, str) else example
    command = click.Command(
        name,
        callback=invoker(handler, fixed),
        params=[*params, *global_params()],
        help=description or summary[0].upper() + summary[1:] + ".",
        short_help=summary,
        epilog=examples(*lines),
        context_settings=CONTEXT,
    )
    parent.add_command(command)
    return command


class OrderedGroup(click.Group):
    """Commands listed in the order they were added (the order of a user's day), not A-Z."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


def group(parent: click.Group, name: str, summary: str, example: str) -> click.Group:
    """A command of actions, as `watcher db backup`."""
    sub = OrderedGroup(
        name,
        help=summary[0].upper() + summary[1:] + ".",
        short_help=summary,
        params=global_params(),
        epilog=examples(example),
        context_settings=CONTEXT,
        no_args_is_help=True,
    )
    parent.add_command(sub)
    return sub


class PositiveInt(click.ParamType):
    """A whole number of at least 1 (and at most a billion: SQL's LIMIT has a ceiling)."""

    name = "N"
    ceiling = 1_000_000_000

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if number < 1:
            self.fail(f"not a positive whole number: {str(value)[:40]!r}", param, ctx)
        if number > self.ceiling:
            self.fail(f"at most {self.ceiling} (got {str(value)[:40]})", param, ctx)
        return number


POSITIVE = PositiveInt()
TRACKING = arg("tracking_number", metavar="TRACKING")
NOW = opt(
    "--now", metavar="WHEN", help="evaluate as if it were this time (ISO 8601, local if no offset)"
)
