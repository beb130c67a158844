"""A workshop of 30: simultaneous sessions open every demo page (issue 14).

A Streamlit server is started on 127.0.0.1 (loopback only) and
``BENCH_SESSIONS`` (default 30, at most 40) sessions each open the demo pages
one after the other, all at the same time, on the sample data.

Two kinds of client (``BENCH_CLIENT``):

- ``websocket`` (default): each session is one websocket on
  ``/_stcore/stream`` speaking Streamlit's protocol as the browser does
  (``BackMsg.rerun_script`` with the page's URL path, then its
  ``page_script_hash`` as the sidebar's links do, the hashes of the messages
  it has cached, and the browser's context); it reads every ``ForwardMsg``
  until the run's ``script_finished``. Before its first page it fetches the
  app's shell as a browser does (the HTML and the scripts, styles and fonts
  it names, gzip accepted), within that page's times. It costs the machine
  almost nothing, so the figures are the server's.
- ``chromium``: Playwright contexts of Debian's Chromium. Thirty browsers on
  the same two cores as the server measure mostly the browsers.

Measured per page view: first paint (the page's title arrives / is drawn),
settle (the script has finished), errors (an exception element, the app's
« erreur inattendue », the red box of ``show_error`` — a data error on the
sample data —, a page without its title, a view that does not settle within
``BENCH_PAGE_TIMEOUT`` s); for the server: CPU seconds per page view (per
page for a session alone) and resident memory per session. The baseline is
one session alone, measured in the same run on the same server after a
first pass has filled the caches (the first visitor's times are printed
too). ``BENCH_WARM=0`` (websocket clients): the participants are the first
visitors of a server just started. Every run is bounded: at most 40
sessions, ``BENCH_PAGE_TIMEOUT`` per view and ``BENCH_DEADLINE`` s for the
whole workshop.

Not simulated by the websocket clients: what the browser does on its own
once it draws the elements (fetching images, lazily loaded scripts and the
map component's files, a component sending its value back, which would
trigger one more run).

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
UNEXPECTED = "Une erreur inattendue"
ERROR_ICON = ":material/error:"  # the icon of sandbox.ui.layout.show_error and of the last-resort handler


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


async def browser_workshop(url: str, sessions: int, pid: int, timeout_s: float, deadline_s: float) -> dict:
    """The workshop with Chromium contexts (``BENCH_CLIENT=chromium``): each page view is a new tab load."""
    from playwright.async_api import async_playwright

    pages = registry.available_demos()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        warm = await browser.new_context()  # one pass to fill the caches (not measured)
        await (await warm.new_page()).goto(url)
        cold = await open_pages(warm, url, pages, timeout_s)
        await warm.close()
        single = await browser.new_context()  # then one full pass alone, warm: the baseline
        alone_cpu = cpu_seconds(pid)
        alone = await open_pages(single, url, pages, timeout_s, pid=pid)
        alone_cpu = cpu_seconds(pid) - alone_cpu
        await single.close()

        rss_before = rss_mb(pid)
        load_before = os.getloadavg()[0]
        cpu_before = cpu_seconds(pid)
        client_cpu = time.process_time()
        contexts = [await browser.new_context() for _ in range(sessions)]
        start = time.perf_counter()
        results = await asyncio.wait_for(asyncio.gather(*(open_pages(c, url, pages, timeout_s) for c in contexts)), deadline_s)
        wall = time.perf_counter() - start
        cpu = cpu_seconds(pid) - cpu_before
        rss_after = rss_mb(pid)
        load_after = os.getloadavg()[0]
        client_cpu = time.process_time() - client_cpu
        for c in contexts:
            await c.close()
        await browser.close()
    return {"client": "chromium", "cold": cold, "alone": alone, "alone_cpu": alone_cpu, "views": [v for r in results for v in r],
            "wall": wall, "cpu": cpu, "rss_before": rss_before, "rss_after": rss_after, "rss_closed": None,
            "pages": [p.key for p in pages], "load": (load_before, load_after), "client_cpu": client_cpu}


# --- websocket clients: Streamlit's protocol, as the browser speaks it ------------------------------------------------


def _norm(text: str) -> str:
    """Text as compared: no-break and narrow no-break spaces as spaces, no outer blanks.

    >>> _norm("Eau\\u202f: fuites ")
    'Eau : fuites'
    """
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


class WsSession:
    """One participant: one websocket session that opens pages one after the other.

    It sends what Streamlit's frontend sends to run a page (``BackMsg.rerun_script``
    with the page's URL path and, once the server has listed the pages, its
    ``page_script_hash``; the hashes of the cacheable messages already received, which
    the server then sends as references; the browser's time zone and locale) and reads
    every ``ForwardMsg`` of the run until ``script_finished``.
    """

    def __init__(self, url: str, timeout_s: float) -> None:
        if not url.startswith("http://127.0.0.1:"):
            raise ValueError(f"boucle locale seulement : {url}")
        self.url = url
        self.ws_url = "ws" + url.removeprefix("http") + "/_stcore/stream"
        self.timeout_s = timeout_s
        self.ws = None
        self.hashes: dict[str, str] = {}  # url path -> page_script_hash, from the navigation message
        self.cache: dict[str, object] = {}  # the browser's message cache: hash -> ForwardMsg
        self.shell_loaded = False

    def _load_shell(self, path: str) -> int:
        """What the browser fetches before it opens the websocket: the page's HTML and the scripts, styles and fonts it
        names (gzip accepted, as a browser does). Returns the bytes received."""
        import gzip
        import re

        def get(url: str) -> bytes:
            request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                return response.read()

        html = get(f"{self.url}/{path}")
        text = (gzip.decompress(html) if html[:2] == b"\x1f\x8b" else html).decode("utf-8")
        return len(html) + sum(len(get(f"{self.url}/{link}")) for link in re.findall(r'(?:src|href)="\./([^"]+)"', text))

    async def open(self) -> None:
        import websockets

        # No Origin header: allowed by Streamlit (not a browser, so no cross-site hijacking to fear); XSRF only guards
        # the auth cookie, which this app does not use.
        self.ws = await websockets.connect(self.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=self.timeout_s)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    def _rerun(self, entry) -> bytes:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = ""
        state.page_name = entry.url
        if entry.url in self.hashes:
            state.page_script_hash = self.hashes[entry.url]
        state.cached_message_hashes.extend(self.cache)
        state.context_info.timezone = "Europe/Paris"
        state.context_info.timezone_offset = -60
        state.context_info.locale = "fr-FR"
        state.context_info.url = f"{self.url}/{entry.url}"
        return msg.SerializeToString()

    async def view(self, entry, pid: int | None = None) -> dict:
        """Open the page *entry* (a registry entry) and read its run to the end."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        view = {"page": entry.key, "paint": None, "settle": None, "error": "", "cpu": None, "deltas": 0, "bytes": 0, "refs": 0}
        title = _norm(entry.title)
        cpu_start = cpu_seconds(pid) if pid is not None else 0.0
        start = time.perf_counter()
        deadline = start + self.timeout_s
        try:
            if not self.shell_loaded:  # the first page of a participant: the app's shell first, within the page's times
                view["bytes"] += await asyncio.to_thread(self._load_shell, entry.url)
                self.shell_loaded = True
            await self.ws.send(self._rerun(entry))
            while True:
                data = await asyncio.wait_for(self.ws.recv(), max(0.01, deadline - time.perf_counter()))
                view["bytes"] += len(data)
                msg = ForwardMsg()
                msg.ParseFromString(data)
                kind = msg.WhichOneof("type")
                if kind == "ref_hash":  # a message this client has cached: the browser takes it from its cache
                    view["refs"] += 1
                    cached = self.cache.get(msg.ref_hash)
                    if cached is None:
                        view["error"] = "référence à un message absent du cache"
                        continue
                    msg, kind = cached, cached.WhichOneof("type")
                elif msg.metadata.cacheable:
                    self.cache[msg.hash] = msg
                if kind == "navigation":
                    self.hashes = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
                elif kind == "page_not_found":
                    # Sent once by a fresh server, whose first run knows only the files beside app.py, before
                    # st.navigation lists the pages and runs the one asked for: an error only if the page is not drawn
                    view["not_found"] = True
                elif kind == "delta":
                    view["deltas"] += 1
                    self._check(msg, view, title, start)
                elif kind == "script_finished":
                    if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        continue  # st.rerun(): the next run follows
                    if msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                        view["error"] = "erreur de compilation"
                    view["settle"] = time.perf_counter() - start
                    break
        except Exception as exc:  # a timeout or a closed socket is a failed page view, recorded
            view["error"] = view["error"] or f"{type(exc).__name__} {exc}".strip()
        if view["settle"] is not None and view["paint"] is None and not view["error"]:
            # an empty run would prove nothing
            view["error"] = "page introuvable" if view.get("not_found") else "titre de la page absent"
        if pid is not None:
            view["cpu"] = cpu_seconds(pid) - cpu_start
        return view

    @staticmethod
    def _check(msg, view: dict, title: str, start: float) -> None:
        """Look at one delta: the page's title (first paint) and anything an error box would show."""
        if msg.delta.WhichOneof("type") != "new_element":
            return
        element = msg.delta.new_element
        which = element.WhichOneof("type")
        if which == "heading" and view["paint"] is None and _norm(element.heading.body) == title:
            view["paint"] = time.perf_counter() - start
        elif which == "exception":
            view["error"] = f"exception {element.exception.type}"
        elif which == "alert" and UNEXPECTED in element.alert.body:
            view["error"] = "erreur inattendue"
        elif which == "alert" and element.alert.format == element.alert.ERROR and element.alert.icon == ERROR_ICON:
            # show_error's box (a DataError on the sample data is a bug too); other red boxes are content (a leak alert)
            view["error"] = f"message d'erreur : {_norm(element.alert.body)[:80]}"
        elif which == "markdown" and UNEXPECTED in element.markdown.body:
            view["error"] = "erreur inattendue"


async def ws_pass(session: WsSession, pages: list, pid: int | None = None) -> list[dict]:
    return [await session.view(entry, pid) for entry in pages]


async def _alone(url: str, pages: list, pid: int, timeout_s: float) -> tuple[list[dict], float]:
    """One full pass of one session alone on a warm server: the baseline, with the server CPU of each view."""
    single = WsSession(url, timeout_s)
    await single.open()
    cpu = cpu_seconds(pid)
    alone = await ws_pass(single, pages, pid=pid)
    cpu = cpu_seconds(pid) - cpu
    await single.close()
    await asyncio.sleep(2)
    return alone, cpu


async def ws_workshop(url: str, sessions: int, pid: int, timeout_s: float, deadline_s: float, warm: bool = True) -> dict:
    """The workshop with websocket clients: each participant keeps one session and goes from page to page.

    *warm*: one visitor opens every page first (the facilitator checking the room's machine); False: the
    participants are the first visitors of a server just started, and the baseline is measured after them.
    """
    from concurrent.futures import ThreadPoolExecutor

    # Each participant fetches its shell in a thread of its own, as each browser does (the default pool has 6
    # threads: 30 shells would queue in the bench, not in the server).
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=sessions + 2))
    pages = registry.available_demos()
    cold: list[dict] = []
    if warm:
        first = WsSession(url, timeout_s)  # one pass to fill the caches: measured, as the first visitor sees it
        await first.open()
        cold = await ws_pass(first, pages)
        await first.close()
        alone, alone_cpu = await _alone(url, pages, pid, timeout_s)

    rss_before = rss_mb(pid)
    load_before = os.getloadavg()[0]
    cpu_before = cpu_seconds(pid)
    client_cpu = time.process_time()
    clients = [WsSession(url, timeout_s) for _ in range(sessions)]
    start = time.perf_counter()
    try:
        await asyncio.wait_for(asyncio.gather(*(c.open() for c in clients)), timeout_s)
        results = await asyncio.wait_for(asyncio.gather(*(ws_pass(c, pages) for c in clients)), deadline_s)
        wall = time.perf_counter() - start
        cpu = cpu_seconds(pid) - cpu_before
        client_cpu = time.process_time() - client_cpu
        rss_after = rss_mb(pid)  # the sessions are still open: their state is held
        load_after = os.getloadavg()[0]
    finally:
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    await asyncio.sleep(5)
    rss_closed = rss_mb(pid)  # Streamlit keeps a disconnected session server.disconnectedSessionTTL s (120) for a reconnection
    if not warm:
        alone, alone_cpu = await _alone(url, pages, pid, timeout_s)
    return {"client": "websocket" + ("" if warm else ", serveur froid"), "cold": cold, "alone": alone, "alone_cpu": alone_cpu, "views": [v for r in results for v in r],
            "wall": wall, "cpu": cpu, "rss_before": rss_before, "rss_after": rss_after, "rss_closed": rss_closed,
            "pages": [p.key for p in pages], "load": (load_before, load_after), "client_cpu": client_cpu}


def _fmt(value: float | None, spec: str = ".1f") -> str:
    return "—" if value is None else format(value, spec)


def report(result: dict, sessions: int) -> None:
    views = result["views"]
    alone = {v["page"]: v for v in result["alone"]}
    cold = {v["page"]: v for v in result["cold"]}
    none = {"settle": None}
    errors = [v for v in views if v["error"] or v["settle"] is None]
    first_errors = [v for v in result["cold"] + result["alone"] if v["error"] or v["settle"] is None]
    print(f"clients : {result['client']} ; {sessions} sessions × {len(result['pages'])} pages = {len(views)} pages vues "
          f"en {result['wall']:.1f} s ; erreurs : {len(errors)}")
    with_deltas = "deltas" in views[0] if views else False
    print(f"{'page':<12}{'1re (s)':>9}{'seul (s)':>10}{'CPU seul (s)':>14}{'peinture méd/p95':>20}{'stabilisée méd/p95':>22}"
          f"{'erreurs':>9}" + (f"{'éléments':>10}" if with_deltas else ""))
    for key in result["pages"]:
        mine = [v for v in views if v["page"] == key]
        paint = [v["paint"] for v in mine if v["paint"] is not None]
        settle = [v["settle"] for v in mine if v["settle"] is not None]
        line = (
            f"{key:<12}{_fmt(cold.get(key, none)['settle']):>9}{_fmt(alone[key]['settle']):>10}{_fmt(alone[key]['cpu'], '.2f'):>14}"
            f"{statistics.median(paint) if paint else float('nan'):>10.1f}/{pct(paint, 0.95):<9.1f}"
            f"{statistics.median(settle) if settle else float('nan'):>11.1f}/{pct(settle, 0.95):<10.1f}"
            f"{sum(1 for v in mine if v['error'] or v['settle'] is None):>9}"
        )
        if with_deltas:
            line += f"{statistics.median(v['deltas'] for v in mine) if mine else 0:>10.0f}"
        print(line)
    paint = [v["paint"] for v in views if v["paint"] is not None]
    settle = [v["settle"] for v in views if v["settle"] is not None]
    alone_settle = [v["settle"] for v in result["alone"] if v["settle"] is not None]
    p95 = pct(settle, 0.95)
    base = pct(alone_settle, 0.95)
    print(f"première peinture : médiane {pct(paint, 0.5):.1f} s, p95 {pct(paint, 0.95):.1f} s")
    print(f"stabilisation : médiane {pct(settle, 0.5):.1f} s, p95 {p95:.1f} s ({p95 / base:.1f} × une session seule, {base:.1f} s) ; "
          f"objectif ≤ {GOAL_P95_S:.0f} s sans erreur : {'atteint' if p95 <= GOAL_P95_S and not errors else 'non atteint'}")
    if result["client"].startswith("websocket") and result["pages"]:
        first = [v["settle"] for v in views if v["page"] == result["pages"][0] and v["settle"] is not None]
        rest = [v["settle"] for v in views if v["page"] != result["pages"][0] and v["settle"] is not None]
        print(f"  dont la première page (avec le chargement de l'application) : médiane {pct(first, 0.5):.1f} s, p95 {pct(first, 0.95):.1f} s ; "
              f"les pages suivantes (navigation dans l'application) : médiane {pct(rest, 0.5):.1f} s, p95 {pct(rest, 0.95):.1f} s")
    print(f"CPU serveur par page vue : {result['cpu'] / max(1, len(views)):.2f} s (seul : {result['alone_cpu'] / max(1, len(result['alone'])):.2f} s) ; "
          f"CPU des clients : {result['client_cpu']:.1f} s pour tout l'atelier")
    print(f"charge de la machine (moyenne sur 1 min, {os.cpu_count()} cœurs) : {result['load'][0]:.1f} au début, {result['load'][1]:.1f} à la fin")
    closed = (f", {result['rss_closed']:.0f} Mo 5 s après la fermeture des sessions (Streamlit garde une session "
              f"déconnectée 120 s)" if result.get("rss_closed") is not None else "")
    print(f"mémoire du serveur : {result['rss_before']:.0f} → {result['rss_after']:.0f} Mo, soit "
          f"{(result['rss_after'] - result['rss_before']) / sessions:.1f} Mo par session{closed}")
    for v in (first_errors + errors)[:10]:
        print(f"  erreur : {v['page']} — {v['error'] or 'non stabilisée'}")


def main() -> None:
    import tempfile

    client = os.environ.get("BENCH_CLIENT", "websocket")
    if client not in ("websocket", "chromium"):
        print(f"BENCH_CLIENT inconnu : {client!r} (websocket ou chromium)")
        return
    if client == "chromium" and not Path(CHROMIUM).exists():
        print(f"Chromium absent ({CHROMIUM}) : banc ignoré.")
        return
    sessions = max(1, min(MAX_SESSIONS, int(os.environ.get("BENCH_SESSIONS", "30"))))
    timeout_s = float(os.environ.get("BENCH_PAGE_TIMEOUT", "180"))
    deadline_s = float(os.environ.get("BENCH_DEADLINE", "1800"))
    warm = os.environ.get("BENCH_WARM", "1") != "0"
    with tempfile.TemporaryDirectory() as folder:
        server, url = start_server(Path(folder))
        try:
            if client == "websocket":
                result = asyncio.run(ws_workshop(url, sessions, server.pid, timeout_s, deadline_s, warm=warm))
            else:
                result = asyncio.run(browser_workshop(url, sessions, server.pid, timeout_s, deadline_s))
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
    report(result, sessions)


if __name__ == "__main__":
    main()
