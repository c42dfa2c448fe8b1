"""Long-lived containers over the docker SDK (a model server, a deployment's proxy and
servers): start one detached with published ports (on a network of its own when asked), find
them by label, follow their logs, stop and remove them; networks for deployments.
``DockerEngine`` mixes this in; nothing else calls the SDK."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from ..errors import Conflict, EngineUnavailable, InvalidInput
from .protocol import Container, LineCallback, ServiceOptions

_PORT_TAKEN = re.compile(r"port is already allocated|address already in use", re.IGNORECASE)


def _container(raw: dict[str, Any]) -> Container:
    """From ``inspect_container`` (``Config``, ``State``, ``NetworkSettings``)."""
    ports: dict[int, int] = {}
    for key, bindings in ((raw.get("NetworkSettings") or {}).get("Ports") or {}).items():
        for binding in bindings or []:
            if binding.get("HostPort"):
                ports[int(key.split("/")[0])] = int(binding["HostPort"])
                break
    state = raw.get("State") or {}
    networks = (raw.get("NetworkSettings") or {}).get("Networks") or {}
    address = next((n["IPAddress"] for n in networks.values() if n.get("IPAddress")), None)
    return Container(
        id=raw["Id"],
        name=str(raw.get("Name") or "").lstrip("/"),
        image_id=raw.get("Image") or "",
        labels=dict((raw.get("Config") or {}).get("Labels") or {}),
        status=state.get("Status") or "unknown",
        ports=ports,
        exit_code=state.get("ExitCode") if state.get("Status") == "exited" else None,
        address=address,
    )


class DockerServices:
    """The service half of ``DockerEngine`` (which sets ``api`` and ``host``)."""

    api: Any
    host: str

    def _wrap(self, e: Exception) -> EngineUnavailable:  # DockerEngine's
        raise NotImplementedError

    def start(self, image: str, options: ServiceOptions) -> Container:
        """Create and start a detached container of ``image``; a host port that is taken is
        ``Conflict``, and no container is left behind."""
        import docker.errors

        bindings = {
            port: (options.host_ip, host) if host else (options.host_ip,)
            for port, host in options.ports.items()
        }
        try:
            created = self.api.create_container(
                image,
                name=options.name,
                labels=dict(options.labels),
                environment=dict(options.env) or None,
                ports=list(options.ports),
                detach=True,
                entrypoint=list(options.entrypoint) if options.entrypoint is not None else None,
                command=list(options.command) if options.command is not None else None,
                stop_signal=options.stop_signal,
                host_config=self.api.create_host_config(
                    port_bindings=bindings, network_mode=options.network
                ),
            )
        except docker.errors.APIError as e:
            if e.status_code == 409:
                raise Conflict(
                    f"a container named {options.name} already exists",
                    f"remove it (docker rm -f {options.name})",
                ) from None
            raise InvalidInput(f"cannot create a container of {image}: {str(e)[:300]}") from None
        except Exception as e:
            raise self._wrap(e) from None
        cid = created["Id"]
        try:
            if options.files is not None:
                self.api.put_archive(cid, options.files_at, options.files)
            self.api.start(cid)
        except Exception as e:
            with contextlib.suppress(Exception):
                self.api.remove_container(cid, force=True)
            if _PORT_TAKEN.search(str(e)):
                ports = ", ".join(str(p) for p in options.ports.values() if p)
                raise Conflict(
                    f"port {ports} is in use on {options.host_ip}", "choose another with --port"
                ) from None
            raise InvalidInput(f"cannot start a container of {image}: {str(e)[:300]}") from None
        found = self.container(cid)
        assert found is not None
        return found

    def container(self, ref: str) -> Container | None:
        import docker.errors

        try:
            return _container(self.api.inspect_container(ref))
        except docker.errors.NotFound:
            return None
        except Exception as e:
            raise self._wrap(e) from None

    def containers(self, labels: Mapping[str, str]) -> list[Container]:
        """Every container (running or not) with these labels (an empty value: any value)."""
        wanted = [f"{k}={v}" if v else k for k, v in labels.items()]
        try:
            rows = self.api.containers(all=True, filters={"label": wanted})
        except Exception as e:
            raise self._wrap(e) from None
        found = [self.container(row["Id"]) for row in rows]
        return [c for c in found if c is not None]

    def logs(self, ref: str, tail: int | None = None) -> str:
        try:
            data = self.api.logs(ref, stdout=True, stderr=True, tail=tail if tail else "all")
        except Exception:
            return ""  # gone: nothing to show
        return bytes(data).decode("utf-8", "replace")

    def follow(self, ref: str, on_line: LineCallback) -> None:
        """Every line of the container's output, from its start, until it stops."""
        pending = ""
        try:
            stream = self.api.logs(ref, stream=True, follow=True, stdout=True, stderr=True)
            for chunk in stream:
                # Chunks are not lines: keep a partial last line for the next chunk.
                pending += chunk.decode("utf-8", "replace")
                *complete, pending = pending.split("\n")
                for line in complete:
                    on_line(line.rstrip("\r"))
        except Exception as e:  # the engine went away (KeyboardInterrupt passes through)
            raise self._wrap(e) from None
        if pending:
            on_line(pending)

    def stop(self, ref: str, timeout: float) -> None:
        """SIGTERM, up to ``timeout`` seconds to finish, then SIGKILL; then remove it."""
        import docker.errors

        try:
            self.api.stop(ref, timeout=int(timeout))
        except docker.errors.NotFound:
            return
        except Exception as e:
            raise self._wrap(e) from None
        with contextlib.suppress(docker.errors.NotFound):
            self.api.remove_container(ref, force=True)

    def local_address(self) -> str:
        """The address where a port the engine publishes is reached from here."""
        parts = urlsplit(self.host)
        if parts.scheme in ("tcp", "http", "https", "ssh") and parts.hostname:
            return parts.hostname
        return "127.0.0.1"

    def put_files(self, ref: str, path: str, archive: bytes) -> None:
        """Unpack a tar archive at ``path`` in a container (running or not)."""
        try:
            self.api.put_archive(ref, path, archive)
        except Exception as e:
            raise self._wrap(e) from None

    def ensure_network(self, name: str, labels: Mapping[str, str]) -> None:
        """A bridge network of that name (containers on it reach each other by name)."""
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
