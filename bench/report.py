"""Benchmark output: one JSON object per scenario plus a readable target-vs-measured table."""

from __future__ import annotations

import json
import os
import platform
import resource
import sys
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Target:
    """One checked figure: what the issue asks for and what was measured."""

    name: str
    target: str
    measured: str
    met: bool


@dataclass
class Result:
    scenario: str
    figures: dict[str, Any] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def check(self, name: str, target: str, measured: str, met: bool) -> None:
        self.targets.append(Target(name, target, measured, bool(met)))

    def as_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "machine": machine(),
            "figures": self.figures,
            "targets": [t.__dict__ for t in self.targets],
            "all_met": all(t.met for t in self.targets),
            "notes": self.notes,
        }

    def print(self, out: Any = None) -> None:
        out = out or sys.stdout
        print(json.dumps(self.as_json(), default=str), file=out)
        print(table(self), file=out)
        out.flush()


def table(result: Result) -> str:
    rows = [("target", "wanted", "measured", "")] + [
        (t.name, t.target, t.measured, "met" if t.met else "MISSED") for t in result.targets
    ]
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    lines = [f"== {result.scenario} =="]
    for n, row in enumerate(rows):
        lines.append(
            "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines += [f"  note: {note}" for note in result.notes]
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def rss_mb() -> float:
    """Current resident set size in MB (Linux /proc)."""
    try:
        with open("/proc/self/statm", encoding="utf-8") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
