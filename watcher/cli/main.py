"""The `watcher` command line: the composition root.

It parses arguments, loads settings once, wires the parts and runs one command: `parser` knows
the commands and options (click); `shipments`, `alerts`, `notifications` and `operations` run
them; `renderer` shapes all text. Exit codes: 0 ok, 1 runtime failure or unhealthy, 2 bad input
or configuration (usage errors raise SystemExit(2), as argparse did), 141 when the reader of
stdout went away (`watcher list | head`). Every error is one line on stderr, and nothing a
command prints shows a configured secret.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

from watcher.cli.common import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, RedactingStream
from watcher.domain.errors import ConfigError, InputError, StoreError, WatcherError

#: 128 + SIGPIPE: what a shell reports for a command whose reader went away.
EXIT_PIPE = 141


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit code (errors are one line on stderr)."""
    from watcher.cli.parser import build

    args = list(sys.argv[1:] if argv is None else argv)
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = RedactingStream(stdout), RedactingStream(stderr)
    try:
        try:
            result = build().main(args=args, prog_name="watcher", standalone_mode=False)
        except click.UsageError as exc:
            click.echo(f"watcher: error: {usage_message(exc)}", err=True)
            raise SystemExit(EXIT_USAGE) from None
        except click.exceptions.Exit as exc:
            return exc.exit_code
        except click.Abort:
            return 130
        except click.ClickException as exc:
            click.echo(f"watcher: error: {exc.format_message()}", err=True)
            return exc.exit_code
        except (ConfigError, InputError) as exc:
            click.echo(f"watcher: error: {exc}", err=True)
            return EXIT_USAGE
        except (StoreError, WatcherError) as exc:
            click.echo(f"watcher: error: {exc}", err=True)
            return EXIT_FAILURE
        except KeyboardInterrupt:
            return 130
        except BrokenPipeError:
            raise
        except Exception as exc:  # noqa: BLE001 - one line, never a traceback
            click.echo(f"watcher: error: {unexpected(exc)}", err=True)
            return EXIT_FAILURE
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return int(result or EXIT_OK)
    except BrokenPipeError:
        quiet_stdout()
        return EXIT_PIPE
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def usage_message(exc: click.UsageError) -> str:
    """One line: which option or argument, and what is wrong with it."""
    if isinstance(exc, click.BadParameter) and exc.param is not None:
        hint = exc.param_hint or (exc.param.opts[0] if exc.param.opts else exc.param.name)
        if isinstance(hint, list | tuple):
            hint = hint[0]
        return f"{str(hint).strip(chr(39))}: {exc.message}"
    where = exc.ctx.command_path if exc.ctx else "watcher"
    return f"{exc.format_message()} (see `{where} --help`)"


def quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # not a real file (tests): nothing left to flush


def unexpected(exc: BaseException) -> str:
    """A one-line description of an error no command expected (a traceback with WATCHER_DEBUG=1)."""
    from watcher.domain.redact import describe_exception
    from watcher.store.db import describe_database_error

    if os.environ.get("WATCHER_DEBUG"):
        import traceback

        traceback.print_exc(file=sys.stderr)
    known = describe_database_error(exc, None)
    if known:
        return known
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror}{where}"
    if isinstance(exc, RecursionError):
        return "input nested too deeply"
    return f"unexpected {describe_exception(exc)} (set WATCHER_DEBUG=1 for a traceback)"
