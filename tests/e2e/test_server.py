"""The server makes no outbound call: it binds this computer only, and asks nobody for its IP (issue 14 #8).

``streamlit run`` is started under a Python audit hook that records every
name lookup and every socket connection the server process attempts, and
its sockets are watched in ``/proc`` during start and the first page load:
nothing may go to another host than this one. Without the settings of
``.streamlit/config.toml`` Streamlit looks up ``checkip.amazonaws.com`` at
start (for the « External URL » it prints) and connects a UDP socket to
``8.8.8.8`` (for the « Network URL »).
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from streamlit_helpers import wait_for_server

REPO = Path(__file__).resolve().parents[2]

# Runs `streamlit run …` with an audit hook that appends each network attempt to a log (one JSON per line).
LAUNCHER = r"""
import json, os, sys
log = os.open(sys.argv.pop(1), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
EVENTS = {"socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr"}
def hook(event, args):
    if event in EVENTS:
        target = args[1] if event.startswith("socket.send") or event == "socket.connect" else args[0]
        os.write(log, (json.dumps([event, repr(target)]) + "\n").encode())
sys.addaudithook(hook)
from streamlit.web.cli import main
sys.argv = ["streamlit", "run", "sandbox/app.py", *sys.argv[1:]]
main()
"""

LOCAL_NAMES = {"localhost", "", "none", "0.0.0.0", "::"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _is_local(target: str) -> bool:
    """A name, an address or an (address, port) tuple that stays on this computer (or a Unix socket path)."""
    text = target.strip("()'\" ")
    host = text.split(",")[0].strip("'\" ")
    if host.startswith("/") or host.lower() in LOCAL_NAMES or host.startswith("b'"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _proc_remote_addresses(pid: int) -> set[str]:
    """Remote addresses of the TCP/UDP sockets that process *pid* holds open now (from /proc)."""
    try:
        inodes = {os.readlink(f"/proc/{pid}/fd/{fd}")[8:-1] for fd in os.listdir(f"/proc/{pid}/fd")}
    except OSError:
        return set()
    remotes = set()
    for table, family in (("tcp", 4), ("udp", 4), ("tcp6", 6), ("udp6", 6)):
        try:
            lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[9] not in inodes:
                continue
            raw = fields[2].split(":")[0]
            packed = bytes.fromhex(raw)
            if family == 4:
                address = ipaddress.IPv4Address(packed[::-1])
            else:
                address = ipaddress.IPv6Address(b"".join(packed[i : i + 4][::-1] for i in range(0, 16, 4)))
                address = address.ipv4_mapped or address
            if not (address.is_loopback or address.is_unspecified):
                remotes.add(f"{table} {address}")
    return remotes


def _start(tmp_path: Path, *options: str):
    port = _free_port()
    log = tmp_path / "network.log"
    out = tmp_path / "server.log"
    env = {**os.environ, "SANDBOX_FEEDBACK_DB": str(tmp_path / "retours.sqlite3"), "PYTHONUNBUFFERED": "1"}
    env.pop("BAC_A_SABLE_CODE", None)
    command = [sys.executable, "-c", LAUNCHER, str(log), "--server.port", str(port), "--server.fileWatcherType", "none", *options]
    with open(out, "wb") as handle:
        server = subprocess.Popen(command, cwd=REPO, env=env, stdout=handle, stderr=subprocess.STDOUT)
    remotes: set[str] = set()
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            remotes.update(_proc_remote_addresses(server.pid))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    url = f"http://127.0.0.1:{port}"
    wait_for_server(server, url, out, poll=0.2)

    def finish() -> tuple[list[list[str]], set[str], str]:
        stop.set()
        watcher.join(timeout=5)
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        attempts = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        return attempts, remotes, out.read_text(errors="replace")

    return url, finish


def _outbound(attempts: list[list[str]]) -> list[list[str]]:
    return [a for a in attempts if not _is_local(a[1])]


def test_the_watchers_see_an_outbound_attempt():
    """The audit hook and the classification catch what Streamlit does without our settings."""
    assert not _is_local("('8.8.8.8', 1)") and not _is_local("'checkip.amazonaws.com'")
    assert _is_local("('127.0.0.1', 8501)") and _is_local("'localhost'") and _is_local("('::1', 8501, 0, 0)")


def test_no_outbound_connection_at_start_nor_at_the_first_page_load(tmp_path, browser):
    url, finish = _start(tmp_path)
    context = browser.new_context(locale="fr-FR")
    try:
        tab = context.new_page()
        tab.goto(url)
        tab.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=90_000)
        tab.get_by_role("heading", name="Bac à sable IA").first.wait_for(timeout=30_000)
    finally:
        context.close()
        attempts, remotes, log = finish()
    assert not _outbound(attempts), _outbound(attempts)
    assert not remotes, remotes
    assert "External URL" not in log and "Network URL" not in log
    assert "127.0.0.1" in Path(REPO / ".streamlit" / "config.toml").read_text()  # bound to this computer by default


def test_opened_to_the_room_the_server_still_calls_nobody(tmp_path):
    """`make run HOST=0.0.0.0`: every interface, but no IP lookup either (browser.serverAddress is set)."""
    url, finish = _start(tmp_path, "--server.address", "0.0.0.0")
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
    attempts, remotes, log = finish()
    assert not _outbound(attempts), _outbound(attempts)
    assert not remotes, remotes
    assert "External URL" not in log
