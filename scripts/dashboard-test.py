#!/usr/bin/env python3
"""The dashboard tested as a person uses it: Debian's chromium, headless, driven by selenium against a real
`tally serve` with events in it. The figures on the page must equal the API's answers, the live parts must move
when new events arrive (without a reload), a stored session must show as a timeline, and with keys required the
page must ask for a read key and then show the data.

Usage: scripts/dashboard-test.py TALLY_BINARY [--screenshot PATH]
Needs: apt-get install chromium chromium-driver; pip install selenium.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

NOW_MS = int(time.time() * 1000)
MINUTE = 60_000


class Server:
    """A `tally serve` on a free loopback port with a fresh data directory."""

    def __init__(self, binary, *extra):
        self.data = tempfile.mkdtemp(prefix="tally-dashboard-")
        self.binary = binary
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.key = None
        self.extra = extra

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "serve", "--port", str(self.port), "--data-dir", self.data, "--log-level", "warning", *self.extra])
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url + "/health", timeout=1)
                return self
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.2)
        raise SystemExit(f"tally serve did not answer on {self.url}")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)

    def request(self, method, path, body=None, content_type="application/json"):
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        request = urllib.request.Request(self.url + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", content_type)
        if self.key:
            request.add_header("Authorization", f"Bearer {self.key}")
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
            return json.loads(text) if text and response.headers.get_content_type() == "application/json" else text

    def heartbeats(self, items):
        lines = [json.dumps({"userId": u, "movieId": m, "duration": 3600, "position": p,
                             "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t / 1000)) + "Z"})
                 for u, m, p, t in items]
        self.request("POST", "/heartbeats", "\n".join(lines).encode(), "application/x-ndjson")

    def ad(self, user, kind):
        self.request("POST", f"/analytics?timestamp={NOW_MS}&user={user}&{kind}")


def seed(server):
    """Viewers of movie_x, ads this hour, and one complete session `demo`."""
    start = NOW_MS - 10 * MINUTE
    server.heartbeats([(f"user_{u}", "movie_x", 10 * s, start + 10_000 * s) for u in range(3) for s in range(6)])
    server.heartbeats([("user_0", "movie_y", 100, start + 70_000)])
    for user in range(4):
        server.ad(f"ad_user_{user}", "impression")
    server.ad("ad_user_0", "click")
    session = [{"type": "SESSION_START", "session_id": "demo", "timestamp": 1_700_000_000_000}]
    session += [{"type": "EVENT", "name": f"step_{i}", "timestamp": 1_700_000_000_000 + 1_000 * i} for i in (3, 1, 2)]
    session += [{"type": "SESSION_END", "session_id": "demo", "timestamp": 1_700_000_005_000}]
    server.request("POST", "/sessions/demo/events", session)


def browser():
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1400"):
        options.add_argument(argument)
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    return webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)


def text(driver, element_id):
    return driver.find_element(By.ID, element_id).text


def wait_for(what, check, seconds=20):
    """Polls `check` until it returns a true value; fails naming `what` and the last value seen."""
    deadline, value = time.time() + seconds, None
    while time.time() < deadline:
        try:
            value = check()
            if value:
                return value
        except Exception as error:  # the page may be between two renders
            value = error
        time.sleep(0.25)
    raise AssertionError(f"{what}: still {value!r} after {seconds} s")


def duration(seconds):
    """The page's watch-time format: one decimal at most, in s, min or h."""
    for unit, size in (("s", 1), ("min", 60), ("h", 3600)):
        if seconds < size * (60 if unit != "h" else float("inf")):
            value = round(seconds / size, 1)
            return f"{value:,.1f}".rstrip("0").rstrip(".") + " " + unit


def check_figures(driver, server, listing=True):
    totals = server.request("GET", "/movies/movie_x/watch-time")
    wait_for("movie_x viewers", lambda: text(driver, "movie-viewers") == str(totals["viewers"]))
    assert text(driver, "movie-events") == str(totals["events"]), (text(driver, "movie-events"), totals)
    assert text(driver, "movie-watch") == duration(totals["watchTimeSeconds"]), (text(driver, "movie-watch"), totals)

    top = [m["movieId"] for m in server.request("GET", "/movies/top?limit=10")["movies"]]
    shown_top = lambda: [li.get_attribute("data-movie") for li in driver.find_elements(By.CSS_SELECTOR, "#top-list li[data-movie]")]
    wait_for("the top titles of the last 24 hours", lambda: top and shown_top() == top)
    assert top[0] == "movie_x", top

    movies = [m["movieId"] for m in server.request("GET", "/users/user_0/continue-watching?limit=10")["movies"]]
    shown = lambda: [li.get_attribute("data-movie") for li in driver.find_elements(By.CSS_SELECTOR, "#continue li[data-movie]")]
    wait_for("user_0's continue-watching row", lambda: shown() == movies)

    hour = server.request("GET", "/analytics/hours")["hours"][-1]
    wait_for("this hour's ads", lambda: [text(driver, i) for i in ("ads-users", "ads-clicks", "ads-impressions")]
             == [str(hour["uniqueUsers"]), str(hour["clicks"]), str(hour["impressions"])])

    tree = server.request("GET", "/sessions/demo")
    wait_for("the session timeline", lambda: driver.find_element(By.ID, "session-timeline").get_attribute("data-events")
             == str(len(tree["children"])))
    names = [li.find_element(By.TAG_NAME, "b").text for li in driver.find_elements(By.CSS_SELECTOR, "#session-events li")]
    assert names == [e["name"] for e in tree["children"]] == ["step_1", "step_2", "step_3"], names
    if listing:
        listed = lambda: [r.get_attribute("data-session") for r in driver.find_elements(By.CSS_SELECTOR, "#sessions-table tbody tr")]
        wait_for("demo in the sessions list", lambda: "demo" in listed())
    else:
        wait_for("the note that listing sessions needs an admin key", lambda: driver.find_element(By.ID, "sessions-note").is_displayed())
    wait_for("ingestion chart", lambda: driver.find_elements(By.CSS_SELECTOR, "#ingest-chart polyline"))


def check_live(driver, server):
    """New events change the page without a reload."""
    marker = driver.execute_script("window.notReloaded = true; return window.notReloaded")
    clicks = int(text(driver, "ads-clicks"))
    for user in range(3):
        server.ad(f"live_user_{user}", "click")
    wait_for("clicks after three more", lambda: text(driver, "ads-clicks") == str(clicks + 3))

    events = int(text(driver, "movie-events"))
    server.heartbeats([("user_9", "movie_x", 5, NOW_MS - 5 * MINUTE)])
    wait_for("movie_x events after one more heartbeat", lambda: text(driver, "movie-events") == str(events + 1))
    wait_for("ingestion rate", lambda: float(text(driver, "ingest-rate").replace(",", "")) > 0)

    # Three users pass a minute boundary: the window before it closes and its arrays stream in.
    base = (NOW_MS - 8 * MINUTE) // MINUTE * MINUTE
    server.heartbeats([(f"resume_{u}", "movie_r", 30, base + 5_000) for u in range(3)])
    server.heartbeats([(f"resume_{u}", "movie_r", 90, base + MINUTE + 15_000) for u in range(3)])
    wait_for("resume arrays on the stream", lambda: int(text(driver, "resume-count")) >= 3)
    assert "resume_" in text(driver, "resume-list"), text(driver, "resume-list")
    assert driver.execute_script("return window.notReloaded") is True and marker


def create_key(binary, data, scope):
    created = subprocess.run([binary, "keys", "create", "--scope", scope, "--data-dir", data],
                             capture_output=True, text=True, check=True)
    return created.stdout.strip()


def check_keys(binary, driver):
    """With keys required the page asks for a read key, keeps it for the tab only, and then shows the data."""
    server = Server(binary, "--auth", "required")
    server.key = create_key(binary, server.data, "admin")
    read_key = create_key(binary, server.data, "read")
    server.start()
    try:
        seed(server)
        driver.get(server.url + "/?movie=movie_x&user=user_0&session=demo")
        wait_for("the key form", lambda: driver.find_element(By.ID, "key-form").is_displayed())
        driver.find_element(By.ID, "key-input").send_keys(read_key)
        driver.find_element(By.CSS_SELECTOR, "#key-form button").click()
        check_figures(driver, server, listing=False)
        stored = driver.execute_script("return [sessionStorage.getItem('tally.key'), localStorage.length]")
        assert stored == [read_key, 0], "the key is kept in sessionStorage only"
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--screenshot")
    args = parser.parse_args()
    server = Server(args.binary).start()
    driver = browser()
    try:
        seed(server)
        driver.get(server.url + "/?movie=movie_x&user=user_0&session=demo")
        check_figures(driver, server)
        print("dashboard: figures equal the API's answers")
        check_live(driver, server)
        print("dashboard: live parts moved with new events, no reload")
        if args.screenshot:
            driver.save_screenshot(args.screenshot)
        # A phone: the panels stack and nothing needs scrolling sideways.
        driver.set_window_size(390, 844)
        wait_for("a layout without sideways scrolling at 390 px",
                 lambda: driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth"))
        print("dashboard: fits a 390 px wide phone screen")
        check_keys(args.binary, driver)
        print("dashboard: with keys required, the page asked for a read key and then showed the data")
    finally:
        driver.quit()
        server.stop()
    print("dashboard test passed")


if __name__ == "__main__":
    sys.exit(main())
