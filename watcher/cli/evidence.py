"""`watcher evidence`: the report a buyer attaches to a dispute (HTML + JSON, optionally PDF)."""

from __future__ import annotations

from pathlib import Path

from watcher.cli.common import EXIT_OK, clock_for, load, normalize_number, opened_app, print_json


def cmd_evidence(
    *,
    config: str | None,
    tracking_number: str,
    out: str,
    pdf: bool,
    now: str | None,
    as_json: bool,
) -> int:
    """Write the evidence report of one parcel into `out` and say where it is."""
    from watcher.report.evidence import write_report
    from watcher.service.evidence import gather_evidence

    number = normalize_number(tracking_number)
    settings = load(config)
    clock = clock_for(now, settings)
    with opened_app(settings, clock=clock) as app, app.sessions() as session:
        data = gather_evidence(session, number, clock.now(), settings=settings)
    html_path, json_path = write_report(data, Path(out).expanduser())
    files = {"html": str(html_path), "json": str(json_path), "pdf": None}
    if pdf:
        from watcher.report.pdf import print_pdf

        files["pdf"] = str(print_pdf(html_path, html_path.with_suffix(".pdf")))
    if as_json:
        print_json(files)
        return EXIT_OK
    checklist = data["checklist"]
    missing = sum(1 for item in checklist if not item["held"])
    print(f"Evidence report for {data['order']['tracking_number']}:")
    for kind in ("html", "json", "pdf"):
        if files[kind]:
            print(f"  {kind.upper():<4} {files[kind]}")
    print(
        f"  {len(data['timeline'])} timeline events, {len(data['raw_events'])} raw events, "
        f"{len(data['case']['steps'])} case steps, {len(data['alerts'])} alerts, "
        f"{len(data['notifications'])} notifications"
    )
    print(f"  Checklist: {len(checklist) - missing} of {len(checklist)} items included; gather:")
    for item in checklist:
        if not item["held"]:
            print(f"    [ ] {item['item']}")
    return EXIT_OK
