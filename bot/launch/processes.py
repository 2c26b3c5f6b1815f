"""Child servers that never outlive their launcher, who holds a port, and a supervisor that restarts the dead.

Every server we start runs in a session of its own (so a terminal's Ctrl-C reaches the launcher alone, which then
stops the servers in order) and asks the kernel for SIGTERM (`PR_SET_PDEATHSIG`) when the launcher dies, however
it dies: SIGKILL, out of memory or a closed terminal. Only Linux has that call; elsewhere the orderly stop is all.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import psutil

PR_SET_PDEATHSIG = 1
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def _die_with(parent: int, death_signal: int) -> Callable[[], None]:
    def in_child() -> None:  # runs in the child between fork and exec: keep it to the two calls
        if _prctl is not None:
            _prctl(PR_SET_PDEATHSIG, death_signal)
        if os.getppid() != parent:  # the launcher died before the call above: nobody would stop us
            os._exit(1)

    return in_child


def spawn(command: list[str], *, death_signal: int = signal.SIGTERM, **popen: object) -> subprocess.Popen:
    """`subprocess.Popen` in a new session, for a child that gets `death_signal` when this process dies."""
    return subprocess.Popen(command, start_new_session=True, preexec_fn=_die_with(os.getpid(), death_signal), **popen)  # type: ignore[call-overload]


def stop(processes: Iterable[subprocess.Popen], timeout: float = 15.0) -> None:
    """SIGTERM to each process group, then SIGKILL to what is still there after `timeout` seconds."""
    processes = list(processes)
    for process in processes:
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


def holder(port: int) -> psutil.Process | None:
    """The process listening on TCP `port` on any address, if this user may see it."""
    for connection in psutil.net_connections(kind="tcp"):
        if connection.status == psutil.CONN_LISTEN and connection.laddr and connection.laddr.port == port:
            if connection.pid is None:
                return None
            try:
                return psutil.Process(connection.pid)
            except psutil.NoSuchProcess:
                return None
    return None


def is_listening(port: int) -> bool:
    return any(
        c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port for c in psutil.net_connections(kind="tcp")
    )


def describe(process: psutil.Process | None) -> str:
    if process is None:
        return "a process this user cannot see"
    try:
        command = " ".join(process.cmdline()) or process.name()
    except psutil.Error:
        command = "?"
    return f"process {process.pid} ({command[:80]})"


def taken_ports(ports: dict[str, int]) -> list[str]:
    """One line per port of `ports` (name -> port) that something already listens on."""
    return [
        f"Port {port} (for the {name}) is already taken by {describe(holder(port))}."
        for name, port in ports.items()
        if is_listening(port)
    ]


def belongs_to(process: psutil.Process | None, started: Iterable[int]) -> bool:
    """Whether `process` is one of the processes `started` or a descendant of one."""
    if process is None:
        return False
    started = set(started)
    try:
        return process.pid in started or any(parent.pid in started for parent in process.parents())
    except psutil.Error:
        return False


@dataclass
class Supervised:
    """A server the supervisor keeps running: how to start it, and its restart back-off."""

    name: str
    start: Callable[[], subprocess.Popen]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    delay: float = 1.0
    restart_at: float | None = None


@dataclass
class Supervisor:
    """Starts servers and starts each again when it dies: after 1 s, doubling up to `max_delay` while it keeps
    dying within `stable_after` seconds of its start. Each death and restart gets a log line on stderr."""

    servers: list[Supervised] = field(default_factory=list)
    max_delay: float = 30.0
    stable_after: float = 60.0
    log: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True)

    def add(self, name: str, start: Callable[[], subprocess.Popen]) -> None:
        server = Supervised(name, start)
        self._start(server)
        self.servers.append(server)

    def processes(self) -> dict[str, subprocess.Popen]:
        return {server.name: server.process for server in self.servers if server.process is not None}

    def _start(self, server: Supervised) -> None:
        server.process, server.started_at, server.restart_at = server.start(), time.monotonic(), None

    def check(self) -> None:
        """Call regularly: notes deaths and restarts servers whose back-off has passed."""
        now = time.monotonic()
        for server in self.servers:
            if server.restart_at is not None:
                if now >= server.restart_at:
                    self._start(server)
                    self.log(f"The {server.name} server was started again (process {server.process.pid}).")
                continue
            code = server.process.poll() if server.process else 0
            if code is None:
                continue
            if now - server.started_at >= self.stable_after:
                server.delay = 1.0
            why = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
            self.log(f"The {server.name} server stopped ({why}); starting it again in {server.delay:.0f} s.")
            server.restart_at = now + server.delay
            server.delay = min(server.delay * 2, self.max_delay)

    def stop(self) -> None:
        stop(server.process for server in self.servers if server.process is not None)


class StopSignals:
    """SIGINT, SIGTERM and SIGHUP (a closed terminal) ask for an orderly stop; once it has begun, more of them are
    ignored, so a second Ctrl-C cannot cut the stop short and leave servers behind."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def __init__(self) -> None:
        self.requested = False
        for signum in self.SIGNALS:
            signal.signal(signum, self._request)

    def _request(self, signum: int, _frame: object) -> None:
        self.requested = True

    def wait(self, seconds: float) -> None:
        time.sleep(seconds)  # the handler runs during the sleep; the caller sees `requested` right after it

    def ignore_more(self) -> None:
        for signum in self.SIGNALS:
            signal.signal(signum, signal.SIG_IGN)
