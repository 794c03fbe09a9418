"""The main flows in a real browser: Debian's headless chromium driven by Selenium.

Add a parcel, open it, record a case step, mark it received. Screenshots of the main pages at
phone (390 px) and desktop (1280 px) widths go to a temporary directory, or to
$WEB_SCREENSHOTS (docs/images when refreshing the documentation's pictures).
`.ci/install-chromium.sh` installs chromium and chromium-driver; the test fails without them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from tests.web.conftest import STALLED

CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTHS = {"phone": 390, "desktop": 1280}


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def submit(driver: webdriver.Chrome, button: WebElement) -> None:
    """Click and wait until the next page has replaced this one."""
    page = driver.find_element(By.TAG_NAME, "html")
    button.click()
    WebDriverWait(driver, 10).until(expected_conditions.staleness_of(page))


def shoot(driver: webdriver.Chrome, name: str, out: Path) -> None:
    """Full-page screenshots of the current page at each width."""
    for kind, width in WIDTHS.items():
        driver.set_window_size(width, 900)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(max(int(height), 600), 4000))
        driver.save_screenshot(str(out / f"web-{name}-{kind}.png"))


def test_main_flows_in_chromium(served: Any, browser: webdriver.Chrome, tmp_path: Path) -> None:
    out = Path(os.environ.get("WEB_SCREENSHOTS") or tmp_path / "shots")
    out.mkdir(parents=True, exist_ok=True)
    s = served()
    browser.set_window_size(390, 900)
    browser.get(s.url + "/")
    assert browser.title == "Parcels · watcher"
    shoot(browser, "parcels", out)

    # Add a parcel by pasting a tracking link, with "N days left".
    submit(browser, browser.find_element(By.LINK_TEXT, "Add"))
    browser.find_element(By.ID, "tracking_number").send_keys(
        "https://parcelsapp.com/en/tracking/RR123456785CN"
    )
    browser.find_element(By.ID, "label").send_keys("Bluetooth keyboard")
    browser.find_element(By.ID, "protection_ends").send_keys("25 days left")
    shoot(browser, "add", out)
    submit(browser, browser.find_element(By.CSS_SELECTOR, "button.primary"))
    assert browser.current_url.endswith("/shipments/RR123456785CN"), browser.page_source[-1500:]
    assert "Watching RR123456785CN." in browser.find_element(By.CSS_SELECTOR, ".flash").text

    # Open the stalled parcel from the list, record a step, then mark it received.
    browser.get(s.url + "/")
    submit(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "Desk lamp"))
    assert browser.current_url.endswith(f"/shipments/{STALLED}")
    browser.find_element(By.ID, "note").send_keys("asked in the order chat")
    submit(browser, browser.find_element(By.CSS_SELECTOR, 'button[value="seller-contacted"]'))
    assert "Recorded: seller-contacted." in browser.find_element(By.CSS_SELECTOR, ".flash").text
    history = browser.find_element(By.CSS_SELECTOR, "ol.history").text
    assert "seller contacted" in history and "asked in the order chat" in history
    shoot(browser, "parcel", out)
    submit(browser, browser.find_element(By.CSS_SELECTOR, 'button[value="received"]'))
    assert "received" in browser.find_element(By.CSS_SELECTOR, "section.panel").text
    assert s.client.get(f"/api/v1/shipments/{STALLED}").json()["received_at"] is not None

    browser.get(s.url + "/alerts")
    shoot(browser, "alerts", out)
    browser.get(s.url + "/health")
    shoot(browser, "health", out)
    assert (out / "web-parcel-phone.png").stat().st_size > 10_000
