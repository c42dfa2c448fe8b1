"""``Services`` over the docker SDK: networks and long-running, labelled containers.

A part of ``DockerEngine`` (it inherits this mixin), kept apart so the image build code
stays readable. A container that fails to start is removed at once: a deployment never
leaves a half-made container behind.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from ..errors import EngineUnavailable, InvalidInput
from .services import ServiceInfo, ServiceSpec

_PORT_TAKEN = ("port is already allocated", "address already in use")


class DockerServices:
    api: Any
    host: str

    def _wrap(self, e: Exception) -> EngineUnavailable:  # DockerEngine's
        raise NotImplementedError

    def published_host(self) -> str:
        """Where this process reaches published ports: the engine's host for tcp://."""
        parsed = urlparse(self.host)
        if parsed.scheme in ("tcp", "http", "https") and parsed.hostname:
            return parsed.hostname
        return "127.0.0.1"

    # -- networks ------------------------------------------------------------------

    def ensure_network(self, name: str, labels: Mapping[str, str]) -> None:
        try:
            if not self.api.networks(names=[name]):
                self.api.create_network(name, driver="bridge", labels=dict(labels))
        except Exception as e:
            raise self._wrap(e) from None

    def remove_network(self, name: str) -> None:
        import docker.errors

        try:
            self.api.remove_network(name)
        except docker.errors.NotFound:
            return
        except Exception as e:
            raise self._wrap(e) from None

    # -- containers ----------------------------------------------------------------

    def start_service(self, spec: ServiceSpec) -> ServiceInfo:
        """Create, fill and start a container on ``spec.network``; ``InvalidInput`` when a
        published port is taken or the image is missing."""
        ports = [p.port for p in spec.publish]
        bindings = {
            p.port: (p.host_ip, p.host_port) if p.host_port else (p.host_ip,) for p in spec.publish
        }
        try:
            container = self.api.create_container(
                spec.image,
                name=spec.name,
                entrypoint=list(spec.entrypoint) if spec.entrypoint is not None else None,
                command=list(spec.command) if spec.command is not None else None,
                environment=dict(spec.env) or None,
                labels=dict(spec.labels),
                ports=ports or None,
                stop_signal=spec.stop_signal,
                host_config=self.api.create_host_config(
                    port_bindings=bindings or None, network_mode=spec.network
                ),
            )
        except Exception as e:
            raise self._start_error(spec, e) from None
        cid = container["Id"]
        try:
            if spec.files is not None:
                self.api.put_archive(cid, spec.files_at, spec.files)
            self.api.start(cid)
        except Exception as e:
            with contextlib.suppress(Exception):
                self.api.remove_container(cid, force=True)
            raise self._start_error(spec, e) from None
        found = self.service(cid)
        if found is None:
            raise InvalidInput(f"container {spec.name} went away as it started")
        return found

    def _start_error(self, spec: ServiceSpec, e: Exception) -> Exception:
        text = str(getattr(e, "explanation", None) or e)
        if any(marker in text for marker in _PORT_TAKEN):
            shown = ", ".join(
                f"{p.host_ip}:{p.host_port}" for p in spec.publish if p.host_port is not None
            )
            return InvalidInput(f"port {shown} is in use", "choose another with --port")
        if "No such image" in text or "not found" in text.lower():
            return InvalidInput(f"no image {spec.image} on the engine at {self.host}")
        if "Conflict" in text and "already in use" in text:
            return InvalidInput(
                f"a container named {spec.name} already exists",
                f"remove it (docker rm -f {spec.name}) or stop its deployment",
            )
        return self._wrap(e)

    def service(self, name: str) -> ServiceInfo | None:
        import docker.errors

        try:
            raw = self.api.inspect_container(name)
        except docker.errors.NotFound:
            return None
        except Exception as e:
            raise self._wrap(e) from None
        return _info(raw)

    def services(self, labels: Mapping[str, str]) -> list[ServiceInfo]:
        """Every container (running or not) carrying all of ``labels``, oldest first."""
        wanted = [f"{k}={v}" for k, v in labels.items()]
        try:
            found = self.api.containers(all=True, filters={"label": wanted})
        except Exception as e:
            raise self._wrap(e) from None
        infos = [self.service(c["Id"]) for c in sorted(found, key=lambda c: c.get("Created", 0))]
        return [i for i in infos if i is not None]

    def put_files(self, name: str, path: str, archive: bytes) -> None:
        try:
            self.api.put_archive(name, path, archive)
        except Exception as e:
            raise self._wrap(e) from None

    def stop_service(self, name: str, timeout: float = 30) -> None:
        """Stop (its stop signal, then KILL after ``timeout``) and remove a container."""
        import docker.errors

        try:
            with contextlib.suppress(docker.errors.NotFound):
                self.api.stop(name, timeout=int(timeout))
            with contextlib.suppress(docker.errors.NotFound):
                self.api.remove_container(name, force=True)
        except docker.errors.APIError as e:
            if "is already in progress" not in str(e):
                raise self._wrap(e) from None

    def service_logs(self, name: str, tail: int = 20) -> str:
        try:
            raw = self.api.logs(name, stdout=True, stderr=True, tail=tail)
        except Exception:
            return ""
        return bytes(raw).decode("utf-8", "replace")


def _info(raw: dict[str, Any]) -> ServiceInfo:
    state = raw.get("State") or {}
    settings = raw.get("NetworkSettings") or {}
    networks = settings.get("Networks") or {}
    address = next((n.get("IPAddress") for n in networks.values() if n.get("IPAddress")), None)
    ports: dict[int, int] = {}
    for key, bound in (settings.get("Ports") or {}).items():
        if bound:
            ports[int(key.split("/")[0])] = int(bound[0]["HostPort"])
    return ServiceInfo(
        id=raw["Id"],
        name=str(raw.get("Name", "")).lstrip("/"),
        image=str((raw.get("Config") or {}).get("Image", "")),
        labels=dict((raw.get("Config") or {}).get("Labels") or {}),
        running=bool(state.get("Running")),
        status=str(state.get("Status", "")),
        address=address or None,
        ports=ports,
    )
