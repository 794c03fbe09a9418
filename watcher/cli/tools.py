"""`watcher completion` (shell completion scripts) and `watcher man` (troff pages from the commands)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import click

from watcher.cli.common import EXIT_OK

PROG, COMPLETE_VAR = "watcher", "_WATCHER_COMPLETE"


def command_tree() -> click.Command:
    """The whole `watcher` command tree, from the running command's context."""
    return click.get_current_context().find_root().command


def cmd_completion(*, config: str | None, shell: str) -> int:
    """`watcher completion SHELL`: the script that makes the shell complete watcher's commands."""
    from click.shell_completion import get_completion_class

    completion = get_completion_class(shell)
    if completion is None:  # click knows bash, zsh and fish, the choices offered
        raise click.UsageError(f"no completion for {shell}")
    click.echo(completion(command_tree(), {}, PROG, COMPLETE_VAR).source())
    return EXIT_OK


def cmd_man(*, config: str | None, out: str) -> int:
    """`watcher man --out DIR`: one page per command, `watcher.1` for the whole tool."""
    folder = Path(out).expanduser()
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for path, command in walk(command_tree(), (PROG,)):
        (folder / f"{'-'.join(path)}.1").write_text(man_page(path, command), encoding="utf-8")
        written += 1
    click.echo(f"{written} man pages written to {folder}")
    return EXIT_OK


def walk(
    command: click.Command, path: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command of the tree with its path, the root first."""
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from walk(sub, (*path, name))


def roff(text: str) -> str:
    """Text safe in troff: backslashes doubled, leading dots and quotes escaped."""
    text = text.replace("\\", "\\\\").replace("-", "\\-")
    return "\n".join("\\&" + line if line[:1] in (".", "'") else line for line in text.splitlines())


def man_page(path: tuple[str, ...], command: click.Command) -> str:
    """A man(7) page: name, synopsis, description, options, examples, see also."""
    name = " ".join(path)
    ctx = click.Context(command, info_name=name)
    lines = [
        f'.TH "{"-".join(path).upper()}" "1" "{date.today():%Y-%m-%d}" "watcher" "watcher manual"',
        ".SH NAME",
        f"{roff(name)} \\- {roff(command.get_short_help_str(200))}",
        ".SH SYNOPSIS",
        f".B {roff(name)}",
        roff(" ".join(command.collect_usage_pieces(ctx))),
        ".SH DESCRIPTION",
        roff(command.help or ""),
    ]
    options = [
        p.get_help_record(ctx) for p in command.get_params(ctx) if isinstance(p, click.Option)
    ]
    if any(options):
        lines.append(".SH OPTIONS")
        for record in options:
            if record:
                lines += [".TP", f".B {roff(record[0])}", roff(record[1])]
    if isinstance(command, click.Group):
        lines.append(".SH COMMANDS")
        for sub_name, sub in command.commands.items():
            lines += [".TP", f".B {roff(sub_name)}", roff(sub.get_short_help_str(200))]
    if command.epilog:
        lines += [
            ".SH EXAMPLES",
            ".nf",
            roff(command.epilog.replace("\b\n", "").replace("Examples:\n", "")),
            ".fi",
        ]
    see = ["watcher(1)"] if len(path) > 1 else []
    lines += [".SH SEE ALSO", roff(", ".join([*see, "docs/cli.md"]))]
    return "\n".join(lines) + "\n"
