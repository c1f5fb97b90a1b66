"""The site under gunicorn on loopback, for `manage.py loadtest` and `manage.py bench --http`."""

import http.client
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management.base import CommandError
from django.urls import reverse

HOST = "127.0.0.1"
WORKERS = 2


def allowed_host() -> str:
    """A name this site answers to (ALLOWED_HOSTS), for the Host header of requests made here."""
    return next(
        (h for h in settings.ALLOWED_HOSTS if h not in {"*", ""} and not h.startswith(".")), "localhost"
    )


def refuse_if_taken(port: int) -> None:
    try:
        socket.create_connection((HOST, port), timeout=0.5).close()
    except OSError:
        return
    raise CommandError(f"Something already listens on {HOST}:{port}; choose another --port.")


@contextmanager
def gunicorn(port: int, log: Path, **environment: str):
    """gunicorn with WORKERS workers on HOST:port, this process's environment plus
    `environment`, its output in `log`; answering /healthz/ when the block starts, stopped
    (gracefully: workers finish their request) when it ends."""
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "docket.wsgi", "--workers", str(WORKERS)]
            # No control socket: its default path is shared by every gunicorn on the machine.
            + ["--bind", f"{HOST}:{port}", "--no-control-socket"],
            cwd=settings.BASE_DIR,
            env={**os.environ, **environment},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_healthy(server, port, log)
            yield server
        finally:
            _stop(server)


def _wait_until_healthy(server: subprocess.Popen, port: int, log: Path) -> None:
    until = time.monotonic() + 30
    while time.monotonic() < until:
        if server.poll() is not None:
            raise CommandError(f"gunicorn exited ({server.returncode}):\n{log.read_text()[-3000:]}")
        connection = http.client.HTTPConnection(HOST, port, timeout=5)
        try:
            connection.request("GET", reverse("health"), headers={"Host": allowed_host()})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    raise CommandError(f"gunicorn did not answer /healthz/ within 30 s:\n{log.read_text()[-3000:]}")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def session_for(user) -> str:
    """A signed-in session's key, stored as django.contrib.auth.login stores one, without a
    password; delete it with end_session."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store.session_key


def end_session(key: str) -> None:
    import_module(settings.SESSION_ENGINE).SessionStore().delete(key)
