"""A real browser for the workspace tests and screenshots: Debian's chromium under Selenium
(``/usr/bin/chromium`` and ``/usr/bin/chromedriver``; nothing is downloaded), and the workspace
served by waitress on a free loopback port in a thread.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import tempfile
import threading

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


def available() -> bool:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return False
    return bool(CHROMIUM and CHROMEDRIVER)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(app, port: int | None = None):
    """The WSGI ``app`` served by waitress on 127.0.0.1; yields its base URL."""
    from waitress import create_server

    server = create_server(app, host="127.0.0.1", port=port or free_port(), threads=4, ident="yiju-test")

    def run() -> None:
        try:
            server.run()
        except OSError:      # the loop's sockets closed under it at shutdown
            pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)


@contextlib.contextmanager
def chrome(width: int = 1280, height: int = 900):
    """A headless chromium driven by Selenium."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--hide-scrollbars", "--lang=zh-CN", f"--window-size={width},{height}"):
        options.add_argument(flag)
    with tempfile.TemporaryDirectory() as profile:
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        try:
            driver.set_page_load_timeout(60)
            yield driver
        finally:
            driver.quit()


def full_screenshot(driver, path, width: int) -> None:
    """The whole page (not just the window) as a PNG."""
    driver.set_window_size(width, 900)          # measure at a normal height (a tall window stretches the page)
    height = driver.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
    driver.set_window_size(width, min(max(height, 600), 8000))
    driver.save_screenshot(str(path))


def emulate_width(driver, width: int | None, height: int = 844) -> None:
    """Lay pages out exactly ``width`` CSS px wide (a headless window is never narrower than 500 px);
    None: the window's own size again."""
    if width is None:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    else:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                               {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})


#: What sticks out past the right edge of the viewport: the page's width, and the innermost elements
#: that reach beyond it or whose content spills beyond it (tag.class, left, right, their text's start).
_SIDEWAYS = """
const vw = document.documentElement.clientWidth, out = [];
const beyond = e => { const r = e.getBoundingClientRect();
  return r.width > 0 && (r.right > vw + 0.5
    || getComputedStyle(e).overflowX === 'visible' && r.left + e.scrollWidth > vw + 0.5); };
for (const e of document.body.querySelectorAll('*')) {
  if (beyond(e) && ![...e.children].some(beyond)) {
    const r = e.getBoundingClientRect();
    out.push(`${e.tagName.toLowerCase()}.${e.className} ${Math.round(r.left)}–${Math.round(r.left + Math.max(r.width, e.scrollWidth))} `
             + (e.textContent || '').trim().slice(0, 30));
  }
}
return [document.documentElement.scrollWidth, vw, out];
"""


def sideways(driver) -> tuple[int, list[str]]:
    """(the document's scroll width, what makes it wider than the viewport: [] when nothing does)."""
    width, viewport, wider = driver.execute_script(_SIDEWAYS)
    return width, (wider or [f"document {width} px > viewport {viewport} px"]) if width > viewport else []


def phone_and_desktop(pages, shots=None, screens: int = 3) -> tuple[list[str], dict[str, int]]:
    """Each HTML file in ``pages`` laid out at 390 px and at 1280 px: what scrolls sideways (one line
    per page and width; [] when nothing does) and the width of each page's ``main`` column at 1280 px.
    Screenshots go to the folder ``shots`` when given (``screens`` phone screens per page)."""
    too_wide, columns = [], {}
    with chrome(1280) as driver:
        for page in pages:
            emulate_width(driver, 390)
            driver.get(page.as_uri())
            width, wider = sideways(driver)
            if wider:
                too_wide.append(f"{page.name} at 390 px: the page is {width} px wide; too wide: {wider}")
            if shots:
                screen_by_screen(driver, shots / f"{page.stem}-390.png", 390, most=screens)
            emulate_width(driver, None)          # the 1280 px window itself
            driver.set_window_size(1280, 900)
            driver.get(page.as_uri())
            width, wider = sideways(driver)
            if wider:
                too_wide.append(f"{page.name} at 1280 px: {wider}")
            columns[page.name] = driver.execute_script("return document.querySelector('main').offsetWidth")
            if shots:
                full_screenshot(driver, shots / f"{page.stem}-1280.png", 1280)
    return too_wide, columns


def screen_by_screen(driver, path, width: int, height: int = 844, most: int = 4) -> list:
    """The page as a phone shows it: one PNG per screen (``path`` with -1, -2 … before .png)."""
    import pathlib

    path = pathlib.Path(path)
    driver.set_window_size(max(width, 500), height)
    emulate_width(driver, width, height)
    inner = driver.execute_script("return window.innerHeight")
    total = driver.execute_script("return document.documentElement.scrollHeight")
    out = []
    for i in range(min(most, -(-total // inner))):
        driver.execute_script(f"window.scrollTo(0, {i * inner})")
        png = path.with_name(f"{path.stem}-{i + 1}.png")
        driver.save_screenshot(str(png))
        out.append(png)
    driver.execute_script("window.scrollTo(0, 0)")
    emulate_width(driver, None)
    return out


def click(driver, element, value: str | None = None) -> None:
    """Click something that loads a new page, and wait until the new page is there. ``element`` is
    an element, or a locator strategy with ``value`` ("id", "confirm-signin"): a located element is
    found again if chromium replaced the document under it just before the click ("Node with given
    id does not belong to the document", seen about once in ten runs right after a redirect)."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    for attempt in range(3):
        target = driver.find_element(element, value) if value is not None else element
        page = driver.find_element("tag name", "html")
        try:
            target.click()
            break
        except (StaleElementReferenceException, WebDriverException) as exc:
            stale = isinstance(exc, StaleElementReferenceException) or "does not belong to the document" in str(exc)
            if value is None or not stale or attempt == 2:
                raise
            WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")
    WebDriverWait(driver, 30).until(expected_conditions.staleness_of(page))
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")
