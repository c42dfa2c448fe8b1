"""The proxy's config: what it says, and that HAProxy itself accepts it (``haproxy -c``)."""

from __future__ import annotations

import pytest

from jupyter_mlver.commands import COMMANDS
from jupyter_mlver.core.deploy import haproxy as hp
from jupyter_mlver.core.engine.docker import DockerEngine
from jupyter_mlver.core.engine.protocol import RunOptions


@pytest.mark.parametrize(
    "slots",
    [
        {"a": hp.Slot("172.18.0.2:8080", 100)},
        {"a": hp.Slot("172.18.0.2:8080", 80), "b": hp.Slot("172.18.0.3:8080", 20)},
    ],
)
def test_haproxy_accepts_the_config(
    slots: dict[str, hp.Slot], engine: DockerEngine, proxy_image: str
) -> None:
    text = hp.render(slots)
    for name in hp.SLOTS:
        slot = slots.get(name)
        if slot is None:
            assert f"server {name} {hp.NOWHERE} weight 0 check disabled" in text
        else:
            assert f"server {name} {slot.address} weight {slot.weight} check" in text
    assert f"bind :{hp.TRAFFIC_PORT}" in text
    assert "prometheus-exporter" in text
    assert "retry-on conn-failure empty-response 503" in text
    result = engine.run(
        proxy_image,
        ["haproxy", "-c", "-f", hp.CONFIG_PATH],
        RunOptions(files=hp.config_archive(text), files_at=hp.CONFIG_DIR, timeout=60),
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "Configuration file is valid" in result.stdout + result.stderr


def test_deploy_ref_is_deploy_start_ref() -> None:
    import argparse

    from jupyter_mlver.commands.spec import add_commands

    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(), COMMANDS, prog="jupyter mlver", kernel=False)
    short = parser.parse_args(["deploy", "churn:2", "--canary", "20"])
    long = parser.parse_args(["deploy", "start", "churn:2", "--canary", "20"])
    assert short.command is long.command
    assert short.command.name == "start"
    assert (short.ref, short.canary) == (long.ref, long.canary) == ("churn:2", 20)
    assert parser.parse_args(["deploy", "promote", "web"]).command.name == "promote"
    assert parser.parse_args(["deploy", "start", "promote"]).ref == "promote"
