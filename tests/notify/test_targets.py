"""Targets from settings (inline, environment, files, credentials, apprise config) and the notifier."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.kits.receivers import Hook
from watcher.cli.main import main
from watcher.config import Settings, load_settings
from watcher.notify.transport import (
    AppriseNotifier,
    TargetSpec,
    fingerprint,
    notifier_for,
    target_specs,
)


def test_legacy_urls_are_the_default_target() -> None:
    specs = target_specs(Settings(notify={"urls": ["json://localhost/a"]}))
    assert specs == {"default": TargetSpec(urls=("json://localhost/a",))}


def test_targets_from_environment_and_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "telegram.urls").write_text("# bot\ntgram://123:abc/456\n", encoding="utf-8")
    (tmp_path / "mail.urls").write_text(
        "mailtos://u:p@example.com?to=a@example.com,b@example.com\n", encoding="utf-8"
    )
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    monkeypatch.setenv("WATCHER_NOTIFY__TARGETS__PHONE__URLS", "ntfy://ntfy.sh/my-topic")
    config = tmp_path / "watcher.toml"
    config.write_text(
        """
[notify.targets.phone]
severities = ["critical"]
[notify.targets.chat]
urls_file = "telegram.urls"
[notify.targets.mail]
urls_file = "mail.urls"
""",
        encoding="utf-8",
    )
    settings = load_settings(config)
    specs = target_specs(settings)
    assert specs["phone"].urls == ("ntfy://ntfy.sh/my-topic",)
    assert settings.notify.targets["phone"].severities == [
        "critical"
    ]  # the file and the environment merge
    assert specs["chat"].urls == ("tgram://123:abc/456",)  # found in $CREDENTIALS_DIRECTORY
    assert specs["mail"].urls == (
        "mailtos://u:p@example.com?to=a@example.com,b@example.com",
    )  # commas kept


def test_a_missing_url_file_is_a_delivery_error_without_secrets(tmp_path: Path) -> None:
    settings = Settings(notify={"targets": {"x": {"urls_file": str(tmp_path / "nope")}}})
    delivery = notifier_for(settings).send("x", "t", "b")
    assert not delivery.ok and "cannot read urls_file" in (delivery.error or "")


def test_partial_failure_is_retried_only_where_it_failed(hook: tuple[Hook, int]) -> None:
    receiver, port = hook
    good, bad = f"json://127.0.0.1:{port}/good", "json://127.0.0.1:1/down"
    notifier = AppriseNotifier({"both": [good, bad]})
    first = notifier.send("both", "Title", "Body")
    assert (
        not first.ok
        and "service #2 (JSON)" in (first.error or "")
        and "127.0.0.1:1" not in (first.error or "")
    )
    again = notifier.send("both", "Title", "Body", skip=first.done)
    assert receiver.titles == ["Title"], "the service that had it is not sent to again"
    assert fingerprint(good) not in {fingerprint(bad)} and not again.ok


def test_apprise_config_file_with_tags(tmp_path: Path, hook: tuple[Hook, int]) -> None:
    receiver, port = hook
    apprise_yml = tmp_path / "apprise.yml"
    apprise_yml.write_text(
        f"""
urls:
  - json://127.0.0.1:{port}/family:
      tag: family
  - json://127.0.0.1:{port}/work:
      tag: work
""",
        encoding="utf-8",
    )
    settings = Settings(
        notify={"targets": {"family": {"config_file": str(apprise_yml), "tags": ["family"]}}}
    )
    delivery = notifier_for(settings).send("family", "Hello", "Body")
    assert delivery.ok
    assert [post["title"] for _at, post in receiver.posts] == ["Hello"]


def test_email_gets_html_and_push_gets_text(hook: tuple[Hook, int]) -> None:
    receiver, port = hook
    html_target = AppriseNotifier(
        {"h": TargetSpec(urls=(f"json://127.0.0.1:{port}/h",), format="html")}
    )
    text_target = AppriseNotifier({"t": [f"json://127.0.0.1:{port}/t"]})
    assert html_target.send("h", "T", "plain", html="<p>rich</p>").ok
    assert text_target.send("t", "T", "plain", html="<p>rich</p>").ok
    assert [post["message"] for _at, post in receiver.posts] == ["<p>rich</p>", "plain"]


def test_cli_notify_test_reports_per_target(
    make_config, hook: tuple[Hook, int], capsys: pytest.CaptureFixture[str]
) -> None:
    receiver, port = hook
    config = make_config(
        f"""
[notify.targets.hook]
urls = ["json://127.0.0.1:{port}/hook"]
[notify.targets.down]
urls = ["json://127.0.0.1:1/down"]
"""
    )
    assert main(["notify", "test", "hook", "--config", str(config)]) == 0
    assert capsys.readouterr().out == "hook: ok (1 service)\n"
    assert receiver.titles == ["watcher test message for hook"]
    assert main(["notify", "test", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert (
        "hook: ok (1 service)\n" in out and "down: FAILED: target 'down': service #1 (JSON)" in out
    )
    assert main(["notify", "test", "nope", "--config", str(config)]) == 2
    assert main(["notifications", "--json", "--config", str(config)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(n["target"], n["event"], n["state"]) for n in listed] == [
        ("hook", "test", "sent"),
        ("hook", "test", "sent"),
    ]
