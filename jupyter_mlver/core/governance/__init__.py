"""Model governance: per model its versions per alias, deployment, metric and trend, data
freshness, live drift, and a recommendation ("retrain", "roll back", "ok") by documented,
configurable rules (``[governance]`` in the store's ``config.toml``)."""

from .freshness import Freshness
from .health import Governance, ModelHealth, governance, model_health
from .live import DeploymentLive, VersionLive
from .recommend import OK, RETRAIN, ROLL_BACK, Recommendation, recommend
from .rules import MetricChoice, Rules, rules_from_config
from .trend import Trend

__all__ = [
    "OK",
    "RETRAIN",
    "ROLL_BACK",
    "DeploymentLive",
    "Freshness",
    "Governance",
    "MetricChoice",
    "ModelHealth",
    "Recommendation",
    "Rules",
    "Trend",
    "VersionLive",
    "governance",
    "model_health",
    "recommend",
    "rules_from_config",
]
