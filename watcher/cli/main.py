"""The `watcher` command line: the composition root.

It parses arguments, loads settings once, wires the parts and runs one command: `parser` knows
the commands and flags; `shipments`, `alerts`, `notifications` and `operations` run them.
Exit codes: 0 ok, 1 runtime failure or unhealthy, 2 bad input or configuration. Every error is
one line on stderr, and nothing a command prints shows a configured secret.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from watcher.cli.common import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, RedactingStream
from watcher.cli.parser import build_parser
from watcher.domain.errors import ConfigError, InputError, StoreError, WatcherError


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns its exit code (errors are one line on stderr)."""
    parser = build_parser()
    options = vars(parser.parse_args(argv))
    handler = options.pop("handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_USAGE
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = RedactingStream(stdout), RedactingStream(stderr)
    try:
        return int(handler(**options) or EXIT_OK)
    except (ConfigError, InputError) as exc:
        return fail(str(exc), EXIT_USAGE)
    except (StoreError, WatcherError) as exc:
        return fail(str(exc), EXIT_FAILURE)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        return fail(unexpected(exc), EXIT_FAILURE)
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def fail(message: str, code: int) -> int:
    """Print `message` as watcher's one error line (redacted) and return `code`."""
    print(f"watcher: error: {' | '.join(message.splitlines())}", file=sys.stderr)
    return code


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
