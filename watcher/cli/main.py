"""The `watcher` command line: the composition root.

It parses arguments, loads settings once, wires the parts and runs one command: `parser` knows
the commands and flags; `shipments`, `alerts`, `notifications` and `operations` run them.
Exit codes: 0 ok, 1 runtime failure or unhealthy, 2 bad input or configuration.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from watcher.cli.common import EXIT_FAILURE, EXIT_OK, EXIT_USAGE
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
    try:
        return int(handler(**options) or EXIT_OK)
    except (ConfigError, InputError) as exc:
        print(f"watcher: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (StoreError, WatcherError) as exc:
        print(f"watcher: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
