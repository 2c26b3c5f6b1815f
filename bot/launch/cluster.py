"""One machine as a model of several (`make serve-cluster`): PostgreSQL, Redis, two action servers, two Rasa
servers and nginx in front, all in the foreground; a server that dies is started again; Ctrl-C stops everything,
and so does killing this launcher (bot.launch.processes).

    nginx :8000 -> Rasa :5101, :5102  (round-robin; /socket.io/ sticky by client address, with WebSocket upgrade)
    nginx :8055 -> actions :5151, :5152 (round-robin)
    Rasa servers -> tracker store PostgreSQL :5433 (database "rasa"), lock store Redis :6380

Data lives under run/cluster/ (git ignores it). On several machines, the same layout needs only other
addresses in TRACKER_STORE_URL, LOCK_STORE_URL and ACTION_SERVER_URL (see bot/launch/runtime_config.py).
"""

from __future__ import annotations

import functools
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import psycopg2
import requests

from bot.launch import processes, serve

CLUSTER_DIR = serve.ROOT / "run" / "cluster"
BALANCER_PORT, ACTIONS_BALANCER_PORT = 8000, 8055
RASA_PORTS, ACTIONS_PORTS = (5101, 5102), (5151, 5152)
POSTGRES_PORT, REDIS_PORT = 5433, 6380
TRACKER_STORE_URL = f"postgresql://postgres@127.0.0.1:{POSTGRES_PORT}/rasa"
LOCK_STORE_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
PIDS_FILE = CLUSTER_DIR / "pids.json"
STARTUP_LIMIT_SECONDS = 300


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root; run it as the `postgres` user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name) or ""]
    if not found[-1]:
        raise SystemExit(f"PostgreSQL's {name} not found: run `make cluster-deps` (installs postgresql).")
    return found[-1]


def start_postgres() -> subprocess.Popen:
    data = CLUSTER_DIR / "postgres"
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(data, "postgres", "postgres")
        subprocess.run(
            _as_postgres([_postgres_bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    command = [_postgres_bin("postgres"), "-D", str(data), "-p", str(POSTGRES_PORT), "-k", str(data)]
    command += ["-c", "listen_addresses=127.0.0.1"]
    # SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave).
    return serve.launch("postgres", _as_postgres(command), log=True, death_signal=signal.SIGINT)


def create_database() -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            connection = psycopg2.connect(host="127.0.0.1", port=POSTGRES_PORT, user="postgres", dbname="postgres")
            break
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = 'rasa'")
        if cursor.fetchone() is None:
            cursor.execute("CREATE DATABASE rasa")
    connection.close()


def start_redis() -> subprocess.Popen:
    data = CLUSTER_DIR / "redis"
    data.mkdir(parents=True, exist_ok=True)
    command = ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--dir", str(data), "--save", ""]
    return serve.launch("redis", command, log=True)


def nginx_config() -> str:
    rasa = "\n".join(f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in RASA_PORTS)
    actions = "\n".join(f"        server 127.0.0.1:{port};" for port in ACTIONS_PORTS)
    user = "user root root;" if os.geteuid() == 0 else ""
    prefix = CLUSTER_DIR / "nginx"
    return f"""{user}
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    client_max_body_size 1m;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    upstream rasa {{
{rasa}
    }}
    upstream rasa_sticky {{
        ip_hash;
{rasa}
    }}
    upstream actions {{
{actions}
    }}
    server {{
        listen 127.0.0.1:{BALANCER_PORT};
        location /socket.io/ {{
            proxy_pass http://rasa_sticky;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;  # with the port: socket.io checks Origin against it
            proxy_read_timeout 1h;
        }}
        location / {{
            proxy_pass http://rasa;
            proxy_set_header Host $http_host;  # with the port: socket.io checks Origin against it
            proxy_read_timeout 60s;
            # A server that refuses the connection (stopped) is skipped; the request goes to the next one.
            proxy_next_upstream error non_idempotent;
        }}
    }}
    server {{
        listen 127.0.0.1:{ACTIONS_BALANCER_PORT};
        location / {{
            proxy_pass http://actions;
            proxy_read_timeout 30s;
        }}
    }}
}}
"""


def start_nginx() -> subprocess.Popen:
    prefix = CLUSTER_DIR / "nginx"
    prefix.mkdir(parents=True, exist_ok=True)
    config = prefix / "nginx.conf"
    config.write_text(nginx_config(), encoding="utf-8")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    return serve.launch("nginx", [nginx, "-c", str(config), "-p", str(prefix), "-g", "daemon off;"], log=True)


def is_up(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).ok
    except requests.RequestException:
        return False


def start_all(supervisor: processes.Supervisor) -> None:
    """Start every server under `supervisor`, which starts again any that dies."""
    if not serve.MODEL.exists():
        raise SystemExit(f"No trained model at {serve.MODEL.relative_to(serve.ROOT)}: run `make train` first.")
    ports = {"balancer": BALANCER_PORT, "actions balancer": ACTIONS_BALANCER_PORT, "PostgreSQL": POSTGRES_PORT}
    ports.update({"Redis": REDIS_PORT, **{f"rasa-{p}": p for p in RASA_PORTS}})
    ports.update({f"actions-{p}": p for p in ACTIONS_PORTS})
    taken = processes.taken_ports(ports)
    if taken:
        raise SystemExit("\n".join(taken) + " Stop it first (is another `make serve-cluster` running?).")
    CLUSTER_DIR.mkdir(parents=True, exist_ok=True)
    supervisor.add("postgres", start_postgres)
    supervisor.add("redis", start_redis)
    create_database()
    for port in ACTIONS_PORTS:
        command = serve.actions_command(port)
        supervisor.add(f"actions-{port}", functools.partial(serve.launch, f"actions-{port}", command, True))
    os.environ.update(
        TRACKER_STORE_URL=TRACKER_STORE_URL,
        LOCK_STORE_URL=LOCK_STORE_URL,
        ACTION_SERVER_URL=f"http://127.0.0.1:{ACTIONS_BALANCER_PORT}/webhook",
    )
    for port in RASA_PORTS:
        command = serve.rasa_command(port, ACTIONS_BALANCER_PORT)
        supervisor.add(f"rasa-{port}", functools.partial(serve.launch, f"rasa-{port}", command, True))
    supervisor.add("nginx", start_nginx)


def write_pids(running: dict[str, subprocess.Popen]) -> None:
    PIDS_FILE.write_text(json.dumps({name: p.pid for name, p in running.items()}), encoding="utf-8")


def wait_until_up(running: dict[str, subprocess.Popen]) -> None:
    urls = [f"http://127.0.0.1:{port}/webhooks/rest/" for port in RASA_PORTS]
    urls += [f"http://127.0.0.1:{port}/health" for port in ACTIONS_PORTS]
    urls += [f"http://127.0.0.1:{BALANCER_PORT}/webhooks/rest/"]
    deadline = time.monotonic() + STARTUP_LIMIT_SECONDS
    while not all(is_up(url) for url in urls):
        dead = [name for name, process in running.items() if process.poll() is not None]
        if dead or time.monotonic() > deadline:
            raise SystemExit(f"Cluster did not start ({', '.join(dead) or 'timeout'}); see {serve.LOG_DIR}/.")
        time.sleep(1)


def main() -> int:
    supervisor = processes.Supervisor()
    stopping = processes.StopSignals()
    try:
        start_all(supervisor)
        print(f"Starting the cluster (logs in {serve.LOG_DIR.relative_to(serve.ROOT)}/)...", flush=True)
        wait_until_up(supervisor.processes())
        write_pids(supervisor.processes())  # only now: the file says the cluster is up, and which processes it is
        print(
            f"Cluster up: http://localhost:{BALANCER_PORT} (REST: /webhooks/rest/webhook) -> Rasa {RASA_PORTS}, "
            f"actions {ACTIONS_PORTS}, PostgreSQL :{POSTGRES_PORT}, Redis :{REDIS_PORT}. A server that stops is "
            "started again; Ctrl-C stops them all.",
            flush=True,
        )
        while not stopping.requested:
            before = {name: p.pid for name, p in supervisor.processes().items()}
            supervisor.check()
            if {name: p.pid for name, p in supervisor.processes().items()} != before:
                write_pids(supervisor.processes())
            stopping.wait(0.5)
        return 0
    finally:
        stopping.ignore_more()
        supervisor.stop()
        PIDS_FILE.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
