"""`make serve`'s launcher (`python -m bot.launch.serve`) with the real servers: they never outlive it, whatever
ends it; a server that dies is started again while users get the apology; a taken port gets one line, not a traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bot.channels.replies import channel_text
from bot.launch import processes, serve
from bot.terminal.chat import is_ready
from tests.e2e.servers import STARTUP_LIMIT_SECONDS, ask

RASA_PORT, ACTIONS_PORT = 19405, 19455
PORTS = (RASA_PORT, ACTIONS_PORT)
URL, ACTIONS_URL = f"http://localhost:{RASA_PORT}", f"http://localhost:{ACTIONS_PORT}"
STOP_LIMIT_SECONDS = 30  # the Rasa server takes about 5 s to stop in order; a busy machine gets room
APOLOGY_LIMIT_SECONDS = 5.0  # the limit for the user to hear that the bot is unavailable
RESTART_LIMIT_SECONDS = 60  # the action server restarts after 1 s and loads in a few seconds

pytestmark = pytest.mark.e2e


def launch(log: Path) -> subprocess.Popen:
    """`make serve`'s command on the test's ports, in a session of its own as a terminal would run it."""
    assert not processes.taken_ports(dict(zip(("rasa", "actions"), PORTS, strict=True))), "test ports are taken"
    command = serve_command()
    launcher = subprocess.Popen(
        command, cwd=serve.ROOT, env=serve.server_env(), stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
    while not (is_ready(URL, ACTIONS_URL) and served_by(launcher)):
        assert launcher.poll() is None, f"the launcher stopped:\n{log.read_text()[-2000:]}"
        assert time.monotonic() < deadline, "the servers did not start in time"
        time.sleep(1)
    return launcher


def served_by(launcher: subprocess.Popen) -> bool:
    return all(processes.belongs_to(processes.holder(port), [launcher.pid]) for port in PORTS)


def gone(process: processes.psutil.Process) -> bool:
    """Ended (a zombie has ended: it only waits for whoever inherited it to read its exit status)."""
    try:
        return process.status() == processes.psutil.STATUS_ZOMBIE
    except processes.psutil.NoSuchProcess:
        return True


def ports_free_within(seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(processes.is_listening(port) for port in PORTS):
            return True
        time.sleep(0.5)
    return False


def end(launcher: subprocess.Popen) -> None:
    """Whatever a test did, leave nothing behind: the launcher's group, then any server still on the ports."""
    if launcher.poll() is None:
        os.killpg(launcher.pid, signal.SIGKILL)
        launcher.wait()
    for port in PORTS:
        if (leftover := processes.holder(port)) is not None:
            leftover.kill()


def serve_command() -> list[str]:
    """`make serve`'s command on this module's ports."""
    return [
        sys.executable,
        "-m",
        "bot.launch.serve",
        "--rasa-port",
        str(RASA_PORT),
        "--actions-port",
        str(ACTIONS_PORT),
    ]


@pytest.fixture(scope="module")
def launcher(tmp_path_factory) -> Iterator[subprocess.Popen]:
    running = launch(tmp_path_factory.mktemp("launcher") / "serve.log")
    try:
        yield running
    finally:
        end(running)


def test_a_second_launcher_on_taken_ports_says_so_in_one_line_per_port(launcher):
    command = serve_command()
    result = subprocess.run(command, cwd=serve.ROOT, env=serve.server_env(), capture_output=True, text=True, timeout=60)
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0
    assert len(lines) == 2 and "Traceback" not in result.stderr, result.stderr
    assert f"Port {RASA_PORT}" in lines[0] and str(processes.holder(RASA_PORT).pid) in lines[0]
    assert f"Port {ACTIONS_PORT}" in lines[1]
    assert served_by(launcher)  # the first launcher's servers are untouched


def test_the_action_server_listens_on_this_machine_only(launcher):
    addresses = {
        c.laddr.ip
        for c in processes.psutil.net_connections("tcp")
        if c.status == "LISTEN" and c.laddr.port == ACTIONS_PORT
    }
    assert addresses == {"127.0.0.1"}


def test_a_killed_action_server_comes_back_and_users_hear_the_apology_meanwhile(launcher):
    killed = processes.holder(ACTIONS_PORT)
    killed.kill()
    killed.wait(10)
    started = time.monotonic()
    response = ask(URL, f"launcher-{uuid.uuid4().hex[:8]}", "What is Keras?", timeout=30)
    assert [reply.get("text") for reply in response.json()] == [channel_text("unavailable", "en")]
    assert time.monotonic() - started < APOLOGY_LIMIT_SECONDS
    assert launcher.poll() is None and requests.get(f"{URL}/webhooks/rest/", timeout=5).ok  # Rasa stayed up
    deadline = time.monotonic() + RESTART_LIMIT_SECONDS
    while not (is_ready(URL, ACTIONS_URL) and served_by(launcher)):
        assert time.monotonic() < deadline, "the action server did not come back"
        time.sleep(0.5)
    assert processes.holder(ACTIONS_PORT).pid != killed.pid
    answer = ask(URL, f"launcher-{uuid.uuid4().hex[:8]}", "What is Keras?").json()
    assert answer and answer[0]["text"].startswith("Keras is")


@pytest.mark.parametrize(
    "signum", [signal.SIGKILL, signal.SIGHUP, signal.SIGTERM, signal.SIGINT], ids=["kill", "hangup", "term", "int"]
)
def test_the_servers_stop_with_their_launcher(signum, launcher, tmp_path):
    """Runs after the module's other tests (which share `launcher`): each case starts a launcher of its own."""
    end(launcher)
    assert ports_free_within(STOP_LIMIT_SECONDS)
    own = launch(tmp_path / "serve.log")
    try:
        servers = [processes.holder(port) for port in PORTS]
        os.kill(own.pid, signum)  # the launcher alone, as `kill <pid>` or a closing terminal would
        assert ports_free_within(STOP_LIMIT_SECONDS), f"servers still listening after {signal.Signals(signum).name}"
        deadline = time.monotonic() + STOP_LIMIT_SECONDS
        while not all(gone(server) for server in servers):
            assert time.monotonic() < deadline, f"servers still running after {signal.Signals(signum).name}"
            time.sleep(0.5)
    finally:
        end(own)
