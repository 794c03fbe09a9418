"""The evidence report as self-contained HTML (Jinja2, autoescaped, inline print CSS) and JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from watcher.rules.advice import ACTION_WORDS

_ENV = Environment(
    loader=PackageLoader("watcher.report", "templates"),
    # Event texts come from carriers and sellers: everything is escaped, always.
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

#: Words for the actions in the report: the CLI's (`watcher.rules.advice`), lower-cased at the start.
_LABELS = {str(action): words[0].lower() + words[1:] for action, words in ACTION_WORDS.items()}


def render_html(data: dict[str, Any]) -> str:
    """The printable report (no external assets: styles inline, no scripts, no images)."""
    return _ENV.get_template("evidence.html.j2").render(r=data, labels=_LABELS)


def render_json(data: dict[str, Any]) -> str:
    """The same report as JSON."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def report_stem(data: dict[str, Any]) -> str:
    """`evidence-<tracking>-<YYYY-MM-DD>`, safe as a file name."""
    number = re.sub(r"[^A-Za-z0-9-]", "_", data["order"]["tracking_number"])
    return f"evidence-{number}-{data['generated_at'][:10]}"


def write_report(data: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """Write the HTML and JSON next to each other in `out_dir` (created); their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = report_stem(data)
    html_path, json_path = out_dir / f"{stem}.html", out_dir / f"{stem}.json"
    html_path.write_text(render_html(data), encoding="utf-8")
    json_path.write_text(render_json(data), encoding="utf-8")
    return html_path, json_path
