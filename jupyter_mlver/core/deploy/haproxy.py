"""The proxy: HAProxy's configuration (a pure render) and its runtime API.

The backend ``versions`` has two server slots, ``a`` and ``b``; a deployment's stable version
sits in one and a canary in the other. Traffic moves with ``set server versions/<slot>
weight N`` over the runtime API, which HAProxy applies to the next requests without touching
those in flight; a slot is emptied by setting its weight to 0, waiting until it has no
request in flight, then putting it in maintenance. Requests that fail to connect are retried
on the other slot (``retry-on``, ``redispatch``), so a server that goes away between two
health checks costs no request.

The runtime API and the Prometheus exporter listen on ports of their own, published on the
loopback address only.
"""

from __future__ import annotations

import csv
import io
import socket
import tarfile
import time
from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import MlverError

SLOTS = ("a", "b")
BACKEND = "versions"
#: Inside the proxy container: traffic, the runtime API, Prometheus metrics.
TRAFFIC_PORT = 8080
ADMIN_PORT = 9999
METRICS_PORT = 8404
CONFIG_DIR = "/usr/local/etc/haproxy"
CONFIG_PATH = f"{CONFIG_DIR}/haproxy.cfg"
#: Tries of a runtime API command whose connection was reset.
_ATTEMPTS = 3
#: An address for an empty slot (it stays in maintenance, so it is never connected to).
NOWHERE = "127.0.0.1:1"


@dataclass(frozen=True)
class Slot:
    address: str | None  # host:port on the deployment's network, None when empty
    weight: int  # 0..100, the share of requests in percent


def render(slots: Mapping[str, Slot], *, health_path: str = "/v2/health/ready") -> str:
    """The whole ``haproxy.cfg`` for the given slots (an empty slot is disabled)."""
    lines = [
        "global",
        f"    stats socket ipv4@0.0.0.0:{ADMIN_PORT} level admin",
        "    stats timeout 30s",
        "",
        "defaults",
        "    mode http",
        "    timeout connect 5s",
        "    timeout client 60s",
        "    timeout server 60s",
        "    timeout http-keep-alive 10s",
        "    retries 3",
        "    option redispatch 1",
        "    retry-on conn-failure empty-response 503",
        "",
        "frontend traffic",
        f"    bind :{TRAFFIC_PORT}",
        f"    default_backend {BACKEND}",
        "",
        "frontend metrics",
        f"    bind :{METRICS_PORT}",
        "    http-request use-service prometheus-exporter if { path /metrics }",
        "    http-request return status 404",
        "",
        f"backend {BACKEND}",
        "    balance roundrobin",
        f"    option httpchk GET {health_path}",
        "    http-check expect status 200",
        "    default-server inter 1s fall 2 rise 1",
    ]
    for name in SLOTS:
        slot = slots.get(name, Slot(None, 0))
        if slot.address is None:
            lines.append(f"    server {name} {NOWHERE} weight 0 check disabled")
        else:
            lines.append(f"    server {name} {slot.address} weight {slot.weight} check")
    return "\n".join(lines) + "\n"


def config_archive(text: str) -> bytes:
    """A tar holding ``haproxy.cfg`` for ``put_archive`` at ``CONFIG_DIR``."""
    data = text.encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("haproxy.cfg")
        info.size = len(data)
        info.mode = 0o644
        info.mtime = int(time.time())
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class ProxyError(MlverError):
    """The proxy's runtime API refused a command or cannot be reached."""

    status = 502


@dataclass(frozen=True)
class ServerState:
    slot: str
    status: str  # UP, DOWN, MAINT, DRAIN, no check
    weight: int
    in_flight: int  # current sessions
    address: str


class RuntimeAPI:
    """HAProxy's runtime API over TCP: one command (or several joined by ``;``) per
    connection, as in non-interactive mode."""

    def __init__(self, host: str, port: int, timeout: float = 5.0) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout

    def command(self, line: str) -> str:
        # A connection the engine's port forwarding resets now and then under load is tried
        # again: every command sent here sets a state, so sending it twice is harmless.
        for attempt in range(_ATTEMPTS):
            try:
                with socket.create_connection((self.host, self.port), self.timeout) as conn:
                    conn.sendall(line.encode() + b"\n")
                    chunks = []
                    while True:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        chunks.append(chunk)
                break
            except OSError as e:
                if attempt + 1 < _ATTEMPTS and isinstance(e, ConnectionResetError):
                    time.sleep(0.2)
                    continue
                raise ProxyError(
                    f"the proxy's runtime API at {self.host}:{self.port} does not answer ({e})",
                    "is the proxy container running? see `docker ps`",
                ) from None
        answer = b"".join(chunks).decode("utf-8", "replace")
        lowered = answer.lower()
        if "unknown command" in lowered or "no such server" in lowered or "require" in lowered:
            raise ProxyError(f"the proxy refused {line!r}: {answer.strip()[:200]}")
        return answer

    def set_weights(self, weights: Mapping[str, int]) -> None:
        """Every slot's weight in one request, the raised ones first, so that at no point
        every slot has weight 0."""
        order = sorted(weights.items(), key=lambda kv: -kv[1])
        self.command("; ".join(f"set server {BACKEND}/{s} weight {w}" for s, w in order))

    def enable(self, slot: str, address: str) -> None:
        host, _, port = address.rpartition(":")
        self.command(
            f"set server {BACKEND}/{slot} weight 0; "
            f"set server {BACKEND}/{slot} addr {host} port {port}; "
            f"set server {BACKEND}/{slot} check-port {port}; "
            f"enable health {BACKEND}/{slot}; "
            f"set server {BACKEND}/{slot} state ready"
        )

    def disable(self, slot: str) -> None:
        self.command(f"set server {BACKEND}/{slot} state maint")

    def servers(self) -> dict[str, ServerState]:
        """The backend's servers from ``show stat`` (CSV)."""
        text = self.command("show stat").lstrip("# ")
        out: dict[str, ServerState] = {}
        for row in csv.DictReader(io.StringIO(text)):
            if row.get("pxname") != BACKEND or row.get("svname") not in SLOTS:
                continue
            out[row["svname"]] = ServerState(
                slot=row["svname"],
                status=row.get("status", ""),
                weight=int(row.get("weight") or 0),
                in_flight=int(row.get("scur") or 0),
                address=row.get("addr", ""),
            )
        return out

    def wait_until(self, slot: str, up: bool, timeout: float) -> ServerState:
        """Poll until ``slot`` is UP (or has no request in flight, ``up=False``)."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.servers().get(slot)
            if state is not None:
                if up and state.status.startswith("UP"):
                    return state
                if not up and state.in_flight == 0:
                    return state
            if time.monotonic() > deadline:
                what = "up" if up else "drained"
                shown = state.status if state else "missing"
                raise ProxyError(
                    f"slot {slot} of the proxy is not {what} after {timeout:g} s (status {shown})"
                )
            time.sleep(0.2)
