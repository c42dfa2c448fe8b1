"""Deploy, canary, promote, roll back and stop on the local engine.

Each operation checks everything a user can get wrong before it starts a container, changes
the proxy's weights over its runtime API (requests in flight finish where they are), retires
a version only once the proxy has no request in flight to it, then records the change as a
``mlver.deployment/1`` event and moves the model's ``production`` alias to the version now
stable. A failure half-way stops what it started.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..engine.protocol import Container, Engine
from ..errors import InvalidInput, RecordNotFound
from ..filelock import exclusive
from ..models import aliases as al
from ..models import registry
from ..models.refs import check_name, parse_ref
from ..records import DeploymentRecord, ModelRecord
from ..store.store import Store
from . import events as ev
from . import haproxy as hp
from . import runtime as rt

PRODUCTION = "production"


@dataclass(frozen=True)
class LocalOptions:
    proxy_image: str = rt.DEFAULT_PROXY_IMAGE
    host_ip: str = "127.0.0.1"
    image_prefix: str = ""
    ready_timeout: float = 120.0
    drain_timeout: float = 60.0


def _locked(store: Store, name: str) -> contextlib.AbstractContextManager[None]:
    """One change of a deployment at a time (a watch and a hand-made promote may race)."""
    directory = store.dir / "deployments"
    directory.mkdir(exist_ok=True)
    return exclusive(directory / f"{name}.lock")


def _running(store: Store, engine: Engine, name: str) -> tuple[ev.DeploymentState, Container]:
    """The state of a deployment whose proxy runs, and that proxy."""
    state = ev.state(store, name)
    proxy = rt.proxy(engine, name)
    if state.stopped or proxy is None or not proxy.running:
        raise InvalidInput(
            f"deployment {name} is not running",
            f"start it with `jupyter mlver deploy {state.model}:{state.stable} --name {name}`",
        )
    return state, proxy


def _guard(store: Store, model: ModelRecord, force: bool, reason: str | None) -> None:
    """Refuse before anything changes when ``production`` may not move to ``model``."""
    al.check_allowed(store, al.Candidate.of(store, model), PRODUCTION, force, reason)


def _follow(store: Store, model: ModelRecord, reason: str, force: bool = False) -> None:
    """Point ``production`` at the now stable version (a no-op when it is there already)."""
    held = al.holder(store, model["name"], PRODUCTION)
    if held is not None and held.model_record == model["id"]:
        return
    stack = al.replay(al.applied(store, model["name"], PRODUCTION))
    if len(stack) >= 2 and stack[-2].model_record == model["id"]:
        registry.rollback(store, f"{model['name']}@{PRODUCTION}", reason=reason)
        return
    registry.move_alias(
        store, f"{model['name']}:{model['version']}", PRODUCTION, force=force, reason=reason
    )


def _settle(
    store: Store,
    name: str,
    event: str,
    model: ModelRecord,
    stable: ModelRecord,
    port: int,
    why: str,
    *,
    force: bool,
    figures: Mapping[str, Any] | None = None,
    image: str | None = None,
) -> DeploymentRecord:
    """Record a change after which ``stable`` takes every request (``model``, the version
    the event is about, is ``stable`` itself or the version taken out) and point
    ``production`` at ``stable``."""
    done = ev.append(
        store,
        deployment=name,
        event=event,
        model=model,
        weight=100 if model["id"] == stable["id"] else 0,
        stable=stable["version"],
        port=port,
        reason=why,
        figures=figures,
        image=image,
    )
    _follow(store, stable, f"deployment {name}: {why}", force)
    return done


def _version(store: Store, model: str, version: int) -> ModelRecord:
    return registry.resolve(store, f"{model}:{version}")


# -- deploy ------------------------------------------------------------------------------


def deploy(
    store: Store,
    engine: Engine,
    ref: str,
    *,
    name: str | None,
    port: int,
    options: LocalOptions,
    force: bool = False,
    reason: str | None = None,
) -> DeploymentRecord:
    """Serve the version ``ref`` names behind a new proxy on ``port``: the ``deployed`` event."""
    model = registry.resolve(store, ref)
    name = check_name(name or model["name"], "deployment name")
    with _locked(store, name):
        with contextlib.suppress(RecordNotFound):
            state = ev.state(store, name)
            if not state.stopped and rt.containers(engine, name):
                raise InvalidInput(
                    f"deployment {name} is running {state.model}:{state.stable} "
                    f"on port {state.port}",
                    f"add a canary with `deploy {ref} --canary PERCENT --name {name}`, "
                    f"or `deploy stop {name}` first",
                )
        if not 1 <= port <= 65535:
            raise InvalidInput(f"port {port} is not a TCP port", "use 1-65535")
        image = rt.serving_image(store, engine, model, options.image_prefix)
        rt.check_proxy_image(engine, options.proxy_image)
        rt.check_port_free(engine, options.host_ip, port)
        _guard(store, model, force, reason)
        rt.remove_all(engine, name)  # what a crashed run may have left
        engine.ensure_network(rt.network_name(name), {rt.LABEL: name})
        try:
            server = rt.start_server(engine, name, model, "a", image, options.ready_timeout)
            slots = {"a": hp.Slot(f"{server.address}:{rt.SERVER_PORT}", 100)}
            proxy = rt.start_proxy(engine, name, options.proxy_image, slots, options.host_ip, port)
            rt.runtime_api(engine, proxy).wait_until("a", True, options.ready_timeout)
        except BaseException:
            rt.remove_all(engine, name)
            raise
        why = reason or f"deployed {model['name']}:{model['version']} on port {port}"
        return _settle(store, name, "deployed", model, model, port, why, force=force, image=image)


def canary(
    store: Store,
    engine: Engine,
    ref: str,
    *,
    name: str | None,
    percent: int,
    options: LocalOptions,
) -> DeploymentRecord:
    """Start the version ``ref`` names next to the stable one with ``percent`` of the
    requests, or change the weight of that canary: a ``canary`` or ``weight`` event."""
    if not 0 <= percent <= 100:
        raise InvalidInput(f"--canary {percent}: a share must be 0 to 100 (percent)")
    mref = parse_ref(ref)
    name = check_name(name or mref.name, "deployment name")
    model = registry.resolve(store, mref)
    with _locked(store, name):
        state, proxy = _running(store, engine, name)
        if model["name"] != state.model:
            raise InvalidInput(
                f"deployment {name} serves model {state.model}, not {model['name']}",
                "a canary is another version of the same model",
            )
        version = int(model["version"])
        if version == state.stable:
            raise InvalidInput(
                f"{model['name']}:{version} is the stable version of deployment {name}",
                "a canary is another version",
            )
        if state.canary is not None and state.canary != version:
            raise InvalidInput(
                f"deployment {name} already has the canary {state.model}:{state.canary} "
                f"({state.canary_weight}%)",
                f"`deploy promote {name}` or `deploy rollback {name}` first",
            )
        assert state.stable is not None
        api = rt.runtime_api(engine, proxy)
        stable = rt.server_of(engine, name, state.stable)
        weights = {state.stable: 100 - percent, version: percent}
        if state.canary is None:
            image = rt.serving_image(store, engine, model, options.image_prefix)
            slot = rt.other_slot(stable.slot)
            info = _start_in_slot(engine, api, name, model, slot, image, options)
            try:
                api.set_weights({stable.slot: 100 - percent, slot: percent})
            except BaseException:
                _empty_slot(engine, api, slot, info)
                raise
            kind, why = "canary", f"canary {model['name']}:{version} at {percent}%"
        else:
            canary_slot = rt.server_of(engine, name, version).slot
            api.set_weights({stable.slot: 100 - percent, canary_slot: percent})
            image = None
            kind, why = "weight", f"canary {model['name']}:{version} from "
            why += f"{state.canary_weight}% to {percent}%"
        rt.sync_config(engine, proxy, rt.weighted_slots(engine, name, weights))
        return ev.append(
            store,
            deployment=name,
            event=kind,
            model=model,
            weight=percent,
            stable=state.stable,
            port=state.port,
            reason=why,
            image=image,
        )


def _start_in_slot(
    engine: Engine,
    api: hp.RuntimeAPI,
    name: str,
    model: ModelRecord,
    slot: str,
    image: str,
    options: LocalOptions,
) -> Container:
    """Start a version's server and put it in the proxy's ``slot`` with weight 0, once the
    proxy sees it up."""
    info = rt.start_server(engine, name, model, slot, image, options.ready_timeout)
    try:
        api.enable(slot, f"{info.address}:{rt.SERVER_PORT}")
        api.wait_until(slot, True, options.ready_timeout)
    except BaseException:
        _empty_slot(engine, api, slot, info)
        raise
    return info


def _empty_slot(engine: Engine, api: hp.RuntimeAPI, slot: str, info: Container) -> None:
    """Undo ``_start_in_slot`` after a failure (the failure is what the user sees)."""
    with contextlib.suppress(Exception):
        api.set_weights({slot: 0})
        api.disable(slot)
    engine.stop(info.name, timeout=30)


# -- promote, rollback, stop --------------------------------------------------------------


def _retire(
    engine: Engine, proxy: Container, name: str, keep: rt.Server, gone: rt.Server, drain: float
) -> None:
    """All requests to ``keep``; ``gone`` is stopped once no request is in flight to it."""
    api = rt.runtime_api(engine, proxy)
    api.set_weights({keep.slot: 100, gone.slot: 0})
    api.wait_until(gone.slot, False, drain)
    api.disable(gone.slot)
    rt.sync_config(engine, proxy, rt.weighted_slots(engine, name, {keep.version: 100}))
    engine.stop(gone.info.name, timeout=30)


@dataclass(frozen=True)
class Deployment:
    """A deployment on the local engine, by name, with what changing it needs."""

    store: Store
    engine: Engine
    name: str
    options: LocalOptions = LocalOptions()

    def promote(
        self,
        reason: str | None = None,
        figures: Mapping[str, Any] | None = None,
        force: bool = False,
    ) -> DeploymentRecord:
        """Give the canary every request and retire the old stable version."""
        store, engine, name = self.store, self.engine, self.name
        with _locked(store, name):
            state, proxy = _running(store, engine, name)
            if state.canary is None or state.stable is None:
                raise InvalidInput(
                    f"deployment {name} has no canary to promote",
                    f"start one with `deploy {state.model}:VERSION --canary PERCENT --name {name}`",
                )
            model = _version(store, state.model, state.canary)
            _guard(store, model, force, reason)
            keep = rt.server_of(engine, name, state.canary)
            gone = rt.server_of(engine, name, state.stable)
            _retire(engine, proxy, name, keep, gone, self.options.drain_timeout)
            why = reason or f"promoted {state.model}:{state.canary} (was {state.canary_weight}%)"
            return _settle(
                store, name, "promoted", model, model, state.port, why, force=force, figures=figures
            )

    def rollback(
        self,
        reason: str | None = None,
        figures: Mapping[str, Any] | None = None,
        event: str = "rolled_back",
    ) -> DeploymentRecord:
        """Send every request back to the stable version and stop the canary; without a
        canary, go back to the version that was stable before the last promotion. ``event``
        is ``refused`` when a watch takes out a canary whose promotion the gate refused."""
        store, engine, name = self.store, self.engine, self.name
        with _locked(store, name):
            state, proxy = _running(store, engine, name)
            assert state.stable is not None
            assert state.canary is not None or event != "refused"
            if state.canary is not None:
                out = _version(store, state.model, state.canary)
                back = _version(store, state.model, state.stable)
                keep = rt.server_of(engine, name, state.stable)
                gone = rt.server_of(engine, name, state.canary)
                _retire(engine, proxy, name, keep, gone, self.options.drain_timeout)
            else:
                out, back = self._back_to_previous(state, proxy)
            why = reason or f"rolled back {state.model}:{out['version']} to {back['version']}"
            return _settle(
                store, name, event, out, back, state.port, why, force=True, figures=figures
            )

    def _back_to_previous(
        self, state: ev.DeploymentState, proxy: Container
    ) -> tuple[ModelRecord, ModelRecord]:
        """Start the version stable before the last promotion again and retire the current
        one; the version taken out and the one back."""
        store, engine, name = self.store, self.engine, self.name
        assert state.stable is not None
        previous = state.previous_stable()
        if previous is None:
            raise InvalidInput(
                f"deployment {name} has no canary and no earlier version to roll back to",
                f"see `jupyter mlver deploy history {name}`",
            )
        out = _version(store, state.model, state.stable)
        back = _version(store, state.model, previous)
        current = rt.server_of(engine, name, state.stable)
        slot = rt.other_slot(current.slot)
        image = rt.serving_image(store, engine, back, self.options.image_prefix)
        api = rt.runtime_api(engine, proxy)
        info = _start_in_slot(engine, api, name, back, slot, image, self.options)
        keep = rt.Server(slot, previous, info)
        _retire(engine, proxy, name, keep, current, self.options.drain_timeout)
        return out, back

    def stop(self, reason: str | None = None) -> DeploymentRecord:
        """Stop and remove every container of the deployment and its network."""
        store, name = self.store, self.name
        with _locked(store, name):
            state = ev.state(store, name)
            removed = rt.remove_all(self.engine, name)
            if state.stopped and not removed:
                raise InvalidInput(f"deployment {name} is not running")
            assert state.stable is not None or state.stopped
            version = state.stable or int(state.events[-1]["version"])
            model = _version(store, state.model, version)
            why = reason or f"stopped ({removed} containers removed)"
            return ev.append(
                store,
                deployment=name,
                event="stopped",
                model=model,
                weight=0,
                stable=None,
                port=state.port,
                reason=why,
            )
