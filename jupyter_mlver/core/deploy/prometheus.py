"""A Prometheus scrape config and alert rules for a deployment, for teams that run Prometheus.

Targets are found with Docker service discovery by the ``io.mlver.deployment`` label, so a
canary started later is scraped without editing the config; each target is reached at its
published port. The alert rules are fixed limits (error rate and p95 over a window, with a
minimum of requests), what PromQL can state; ``deploy watch`` judges a canary against its
stable version with rank and proportion tests instead. Drift is computed by ``deploy
status``/``watch`` from sampled inputs, not exported as a metric, so it has no rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import InvalidInput
from . import haproxy as hp
from .runtime import LABEL, ROLE, SERVER_PORT

CONFIG = "prometheus.yml"
RULES = "mlver-rules.yml"


@dataclass(frozen=True)
class Limits:
    """The alerts' limits: each version's error rate and p95 over the window."""

    max_error_rate: float | None = 0.05
    max_p95_ms: float | None = None
    min_requests: int = 20

    def __post_init__(self) -> None:
        rate = self.max_error_rate
        if rate is not None and not 0 <= rate <= 1:
            raise InvalidInput(f"--max-error-rate {rate:g} is not a share from 0 to 1", "e.g. 0.05")
        if self.max_p95_ms is not None and self.max_p95_ms <= 0:
            raise InvalidInput(f"--max-p95-ms {self.max_p95_ms:g} must be more than 0")
        if self.min_requests < 1:
            raise InvalidInput("--min-requests must be 1 or more")


def _label(name: str) -> str:
    """A container label as Docker service discovery names it."""
    return "__meta_docker_container_label_" + "".join(c if c.isalnum() else "_" for c in name)


def scrape_config(
    deployment: str, docker_host: str, address: str = "127.0.0.1", interval: str = "5s"
) -> dict[str, Any]:
    """Targets found on the engine at ``docker_host``, scraped at ``address`` (where the
    engine publishes ports)."""
    jobs = []
    for role, port in (("server", SERVER_PORT), ("proxy", hp.METRICS_PORT)):
        jobs.append(
            {
                "job_name": f"mlver-{deployment}-{role}",
                "scrape_interval": interval,
                "metrics_path": "/metrics",
                "docker_sd_configs": [
                    {
                        "host": docker_host,
                        "refresh_interval": "5s",
                        "filters": [
                            {"name": "label", "values": [f"{LABEL}={deployment}", f"{ROLE}={role}"]}
                        ],
                    }
                ],
                "relabel_configs": [
                    # One target per container: the published port of its metrics port.
                    {
                        "source_labels": ["__meta_docker_port_private"],
                        "regex": str(port),
                        "action": "keep",
                    },
                    {
                        "source_labels": ["__meta_docker_port_public"],
                        "regex": "(.+)",
                        "target_label": "__address__",
                        "replacement": f"{address}:$1",
                    },
                    {"source_labels": [_label(LABEL)], "target_label": "deployment"},
                    {
                        "source_labels": ["__meta_docker_container_name"],
                        "target_label": "container",
                    },
                ],
            }
        )
    return {
        "global": {"scrape_interval": interval, "evaluation_interval": interval},
        "rule_files": [RULES],
        "scrape_configs": jobs,
    }


def alert_rules(deployment: str, limits: Limits, window: str = "5m") -> dict[str, Any]:
    sel = f'{{deployment="{deployment}"}}'
    by = "by (deployment, model, version)"
    enough = f"sum {by} (increase(mlver_requests_total{sel}[{window}])) >= {limits.min_requests}"
    rules: list[dict[str, Any]] = []
    if limits.max_error_rate is not None:
        rules.append(
            {
                "alert": "MlverErrorRate",
                "expr": f"(sum {by} (rate(mlver_request_errors_total{sel}[{window}]))\n"
                f"  / sum {by} (rate(mlver_requests_total{sel}[{window}]))) > "
                f"{limits.max_error_rate:g}\nand on (deployment, model, version) {enough}",
                "labels": {"severity": "page"},
                "annotations": {
                    "summary": "{{ $labels.model }}:{{ $labels.version }} of deployment "
                    "{{ $labels.deployment }} fails {{ $value | humanizePercentage }} "
                    "of its requests",
                    "description": f"More than {limits.max_error_rate:g} of the requests "
                    f"failed over {window} (at least {limits.min_requests} requests). "
                    f"Roll back: jupyter mlver deploy rollback {deployment}",
                },
            }
        )
    if limits.max_p95_ms is not None:
        rules.append(
            {
                "alert": "MlverLatencyP95",
                "expr": f"histogram_quantile(0.95, sum by (deployment, model, version, le) "
                f"(rate(mlver_request_duration_seconds_bucket{sel}[{window}]))) * 1000 > "
                f"{limits.max_p95_ms:g}\nand on (deployment, model, version) {enough}",
                "labels": {"severity": "page"},
                "annotations": {
                    "summary": "{{ $labels.model }}:{{ $labels.version }} of deployment "
                    "{{ $labels.deployment }} answers in {{ $value | humanize }} ms at p95",
                    "description": f"p95 latency above {limits.max_p95_ms:g} ms over {window}. "
                    f"Roll back: jupyter mlver deploy rollback {deployment}",
                },
            }
        )
    rules.append(
        {
            "alert": "MlverServerDown",
            "expr": f'up{{deployment="{deployment}"}} == 0',
            "for": "1m",
            "labels": {"severity": "page"},
            "annotations": {"summary": "{{ $labels.container }} does not answer scrapes"},
        }
    )
    return {"groups": [{"name": f"mlver-{deployment}", "rules": rules}]}


def _published_at(docker_host: str) -> str:
    parts = urlsplit(docker_host)
    if parts.scheme in ("tcp", "http", "https") and parts.hostname:
        return parts.hostname
    return "127.0.0.1"


@dataclass
class PrometheusFiles:
    deployment: str
    config: Path
    rules: Path

    def to_json(self) -> dict[str, Any]:
        return {"deployment": self.deployment, "config": str(self.config), "rules": str(self.rules)}


def write_files(
    deployment: str, directory: Path, limits: Limits, docker_host: str
) -> PrometheusFiles:
    """``prometheus.yml`` and ``mlver-rules.yml`` in ``directory``."""
    import yaml

    directory.mkdir(parents=True, exist_ok=True)
    config, rules = directory / CONFIG, directory / RULES
    config.write_text(
        yaml.safe_dump(
            scrape_config(deployment, docker_host, _published_at(docker_host)),
            sort_keys=False,
            width=100,
        )
    )
    rules.write_text(yaml.safe_dump(alert_rules(deployment, limits), sort_keys=False, width=100))
    return PrometheusFiles(deployment, config, rules)
