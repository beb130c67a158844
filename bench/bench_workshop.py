"""A workshop of 30: simultaneous browser sessions open every demo page (issue 14).

A Streamlit server is started on 127.0.0.1 (loopback only) and
``BENCH_SESSIONS`` (default 30, at most 40) Playwright contexts of Debian's
Chromium each open the demo pages one after the other, all at the same
time, on the sample data. Measured per page view: first paint (the page's
title is drawn) and settle (the script has finished and no spinner is
left), errors (an exception box, the app's « erreur inattendue », a page
that never settles within ``BENCH_PAGE_TIMEOUT`` s); for the server: CPU
seconds per page view (and per page for the session alone) and resident
memory per session. The baseline is one session alone, measured in the
same run on the same server after a first pass has filled the caches.

Goal (issue 14): 30 sessions, no error, p95 settle ≤ 10 s.
The machine's other work shows in the figures: run it on a quiet machine.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sandbox import REPO_DIR, registry

CHROMIUM = os.environ.get("SANDBOX_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--no-first-run"]
MAX_SESSIONS = 40
GOAL_P95_S = 10.0
APP = '[data-testid="stApp"]'
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
ERROR_MARKS = ('[data-testid="stException"]',)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tree(pid: int) -> list[int]:
    """*pid* and its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cpu_seconds(pid: int) -> float:
    total = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    total = 0
    for p in _tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def start_server(tmp: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "SANDBOX_FEEDBACK_DB": str(tmp / "retours.sqlite3"), "PYTHONUNBUFFERED": "1"}
    log = open(tmp / "server.log", "wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "sandbox/app.py", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--server.fileWatcherType", "none"],
        cwd=REPO_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return server, url
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("le serveur Streamlit n'a pas démarré")


async def open_pages(context, url: str, pages: list, timeout_s: float, pid: int | None = None) -> list[dict]:
    """One session: open each page by its URL, time the first paint and the settle.

    With *pid* (a session alone), also the server CPU seconds of each page view.
    """
    tab = await context.new_page()
    views = []
    for entry in pages:
        view = {"page": entry.key, "paint": None, "settle": None, "error": "", "cpu": None}
        start = time.perf_counter()
        cpu_start = cpu_seconds(pid) if pid is not None else 0.0
        try:
            await tab.goto(f"{url}/{entry.url}", timeout=timeout_s * 1000)
            await tab.locator("h1").first.wait_for(timeout=timeout_s * 1000)
            view["paint"] = time.perf_counter() - start
            await tab.wait_for_function(
                """() => {
                    const app = document.querySelector('[data-testid="stApp"]');
                    return app && app.getAttribute('data-test-script-state') === 'notRunning'
                        && !document.querySelector('[data-testid="stSpinner"]')
                        && !document.querySelector('[data-testid="stStatusWidget"] [data-testid="stStatusWidgetRunningIcon"]');
                }""",
                timeout=timeout_s * 1000,
                polling=100,
            )
            view["settle"] = time.perf_counter() - start
            for mark in ERROR_MARKS:
                if await tab.locator(mark).count():
                    view["error"] = "exception"
            if await tab.get_by_text("Une erreur inattendue").count():
                view["error"] = "erreur inattendue"
            if await tab.get_by_text("Page not found").count():
                view["error"] = "page introuvable"
        except Exception as exc:  # a timeout is a failed page view, recorded
            view["error"] = type(exc).__name__
        if pid is not None:
            await asyncio.sleep(0.3)  # the last messages of the run
            view["cpu"] = cpu_seconds(pid) - cpu_start
        views.append(view)
    return views


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, round(q * (len(values) - 1))))]


async def workshop(url: str, sessions: int, pid: int, timeout_s: float) -> dict:
    from playwright.async_api import async_playwright

    pages = registry.available_demos()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        warm = await browser.new_context()  # one pass to fill the caches (not measured)
        await (await warm.new_page()).goto(url)
        await open_pages(warm, url, pages, timeout_s)
        await warm.close()
        single = await browser.new_context()  # then one full pass alone, warm: the baseline
        alone_cpu = cpu_seconds(pid)
        alone = await open_pages(single, url, pages, timeout_s, pid=pid)
        alone_cpu = cpu_seconds(pid) - alone_cpu
        await single.close()

        rss_before = rss_mb(pid)
        load_before = os.getloadavg()[0]
        cpu_before = cpu_seconds(pid)
        contexts = [await browser.new_context() for _ in range(sessions)]
        start = time.perf_counter()
        results = await asyncio.gather(*(open_pages(c, url, pages, timeout_s) for c in contexts))
        wall = time.perf_counter() - start
        cpu = cpu_seconds(pid) - cpu_before
        rss_after = rss_mb(pid)
        load_after = os.getloadavg()[0]
        for c in contexts:
            await c.close()
        await browser.close()
    return {"alone": alone, "alone_cpu": alone_cpu, "views": [v for r in results for v in r], "wall": wall, "cpu": cpu,
            "rss_before": rss_before, "rss_after": rss_after, "pages": [p.key for p in pages], "load": (load_before, load_after)}


def report(result: dict, sessions: int) -> None:
    views = result["views"]
    alone = {v["page"]: v for v in result["alone"]}
    errors = [v for v in views if v["error"] or v["settle"] is None]
    print(f"{sessions} sessions × {len(result['pages'])} pages = {len(views)} pages vues en {result['wall']:.1f} s ; erreurs : {len(errors)}")
    print(f"{'page':<12}{'seul (s)':>10}{'CPU seul (s)':>14}{'peinture méd/p95':>20}{'stabilisée méd/p95':>22}{'erreurs':>9}")
    for key in result["pages"]:
        mine = [v for v in views if v["page"] == key]
        paint = [v["paint"] for v in mine if v["paint"] is not None]
        settle = [v["settle"] for v in mine if v["settle"] is not None]
        base = alone[key]["settle"]
        print(
            f"{key:<12}{(base or float('nan')):>10.1f}{(alone[key]['cpu'] or float('nan')):>14.2f}"
            f"{statistics.median(paint) if paint else float('nan'):>10.1f}/{pct(paint, 0.95):<9.1f}"
            f"{statistics.median(settle) if settle else float('nan'):>11.1f}/{pct(settle, 0.95):<10.1f}"
            f"{sum(1 for v in mine if v['error'] or v['settle'] is None):>9}"
        )
    settle = [v["settle"] for v in views if v["settle"] is not None]
    alone_settle = [v["settle"] for v in result["alone"] if v["settle"] is not None]
    p95 = pct(settle, 0.95)
    base = pct(alone_settle, 0.95)
    print(f"stabilisation p95 : {p95:.1f} s ({p95 / base:.1f} × une session seule, {base:.1f} s) ; objectif ≤ {GOAL_P95_S:.0f} s : "
          f"{'atteint' if p95 <= GOAL_P95_S and not errors else 'non atteint'}")
    print(f"CPU serveur par page vue : {result['cpu'] / max(1, len(views)):.2f} s (seul : {result['alone_cpu'] / max(1, len(result['alone'])):.2f} s)")
    print(f"charge de la machine (moyenne sur 1 min, {os.cpu_count()} cœurs) : {result['load'][0]:.1f} au début, {result['load'][1]:.1f} à la fin")
    print(f"mémoire : {result['rss_before']:.0f} → {result['rss_after']:.0f} Mo, soit {(result['rss_after'] - result['rss_before']) / sessions:.1f} Mo par session")
    for v in errors[:10]:
        print(f"  erreur : {v['page']} — {v['error'] or 'non stabilisée'}")


def main() -> None:
    import tempfile

    if not Path(CHROMIUM).exists():
        print(f"Chromium absent ({CHROMIUM}) : banc ignoré.")
        return
    sessions = max(1, min(MAX_SESSIONS, int(os.environ.get("BENCH_SESSIONS", "30"))))
    timeout_s = float(os.environ.get("BENCH_PAGE_TIMEOUT", "180"))
    with tempfile.TemporaryDirectory() as folder:
        server, url = start_server(Path(folder))
        try:
            result = asyncio.run(workshop(url, sessions, server.pid, timeout_s))
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
    report(result, sessions)


if __name__ == "__main__":
    main()
