"""The report in a real browser: headless Chromium renders it offline from a file:// URL.

Chromium runs in a new network namespace (``unshare --net``) where no interface is
up, so nothing can leave the machine. Where namespaces are not allowed, its host
resolver maps every name to "not found" and its proxy is a closed loopback port.
A Chromium net log then shows which requests were attempted: the page's own
requests carry its origin (``null`` for file://) as initiator, while Chromium's
background service requests carry "not an origin".
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from bend_helpers import shared_bend_folder
from PIL import Image

from netbend.report import write_report

WIDTH, HEIGHT = 1300, 2400

CHROMIUM = shutil.which("chromium")
if CHROMIUM is None and os.environ.get("CI"):
    raise RuntimeError("CI is set but chromium is not installed; .ci/run installs it with apt-get")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")


def namespace_prefix() -> list[str]:
    """Return ``unshare --net`` when this machine allows new network namespaces, else nothing."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    result = subprocess.run([unshare, "--net", "true"], capture_output=True, timeout=10)
    return [unshare, "--net"] if result.returncode == 0 else []


def screenshot(page: Path, folder: Path, width: int = WIDTH, height: int = HEIGHT) -> tuple[Path, Path]:
    """Render ``page`` headless; return the screenshot and net log paths."""
    shot, netlog = folder / "shot.png", folder / "netlog.json"
    command = [
        *namespace_prefix(),
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={folder / 'profile'}",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--proxy-server=http://127.0.0.1:9",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--force-color-profile=srgb",
        f"--window-size={width},{height}",
        f"--log-net-log={netlog}",
        f"--screenshot={shot}",
        page.resolve().as_uri(),
    ]
    subprocess.run(command, capture_output=True, timeout=120, check=False)
    return shot, netlog


def page_requests(netlog: Path) -> list[str]:
    """Return the URLs of requests the page itself started, from a Chromium net log."""
    text = netlog.read_text(encoding="utf-8")
    try:
        log = json.loads(text)
    except json.JSONDecodeError:
        # Chromium may exit before closing the event list.
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    urls = []
    for event in log.get("events", []):
        params = event.get("params") or {}
        if "url" in params and params.get("initiator", "not an origin") != "not an origin":
            urls.append(params["url"])
    return urls


def find_patch(picture: np.ndarray, patch: np.ndarray, tolerance: int = 2) -> tuple[int, int] | None:
    """Return (row, column) where ``patch`` appears in ``picture`` within ``tolerance`` levels, or None."""
    height, width = patch.shape[:2]
    rows, columns = picture.shape[0] - height + 1, picture.shape[1] - width + 1
    picture, patch = picture.astype(np.int16), patch.astype(np.int16)

    # Narrow the candidates with a few sample pixels, then compare whole windows.
    candidates = np.ones((rows, columns), dtype=bool)
    for dy, dx in [(0, 0), (height - 1, width - 1), (height // 2, width // 2), (0, width - 1), (height - 1, 0)]:
        window = picture[dy : dy + rows, dx : dx + columns]
        candidates &= np.abs(window - patch[dy, dx]).max(axis=2) <= tolerance
    for row, column in zip(*np.nonzero(candidates)):
        if np.abs(picture[row : row + height, column : column + width] - patch).max() <= tolerance:
            return int(row), int(column)
    return None


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    run = shared_bend_folder()
    page = folder / "report.html"
    write_report(run, page, count=4, grid_count=4)
    shot, netlog = screenshot(page, folder)
    return page, shot, netlog


def test_browser_writes_screenshot(rendered):
    _, shot, _ = rendered
    assert shot.is_file()
    assert Image.open(shot).size == (WIDTH, HEIGHT)


def test_browser_shows_inline_image(rendered):
    page, shot, _ = rendered
    source = page.read_text(encoding="utf-8").split('src="data:image/png;base64,', 1)[1].split('"', 1)[0]
    picture = np.asarray(Image.open(io.BytesIO(base64.b64decode(source))).convert("RGB"))
    # A 40 x 40 patch inside the first image of the second row (strength 0.5).
    patch = picture[picture.shape[0] // 4 + 30 : picture.shape[0] // 4 + 70, 100:140]
    assert find_patch(np.asarray(Image.open(shot).convert("RGB")), patch) is not None


def test_browser_page_makes_no_requests(rendered):
    _, _, netlog = rendered
    assert page_requests(netlog) == []


def test_netlog_sees_external_image(tmp_path):
    # Control: the same check catches a page that requests an external image.
    page = tmp_path / "control.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>control</title></head>'
        '<body><img src="http://netbend-control.invalid/x.png" alt="x"></body></html>',
        encoding="utf-8",
    )
    _, netlog = screenshot(page, tmp_path, width=320, height=200)
    assert page_requests(netlog) == ["http://netbend-control.invalid/x.png"]
