"""``python -m jupyter_mlver.serving``: load a model directory and serve it over HTTP."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import FrameType

from ..core.errors import MlverError
from .batching import DEFAULT_MAX_ROWS
from .model import default_model_dir, load
from .sampling import Sampler, SampleSettings, parse_cap, parse_rate

log = logging.getLogger("jupyter_mlver.serving")

EPILOG = """\
endpoints:
  GET  /v2/health/live, /v2/health/ready, /v2            KServe Open Inference Protocol v2
  GET  /v2/models/NAME[/versions/V][/ready]              model metadata and readiness
  POST /v2/models/NAME[/versions/V]/infer                predictions
  GET  /ping, POST /invocations                          MLflow / SageMaker scoring protocol
  GET  /metrics                                          Prometheus metrics
  GET  /mlver/samples[?limit=N]                          newest sampled input rows (JSON Lines)
  GET  /mlver/durations[?after=N&limit=N]                durations of the newest answered
                                                         predictions (for canary verdicts)

environment:
  MLVER_MODEL_DIR     the model directory (default /mnt/models when it has a model.json,
                      else /opt/mlver/model)
  MLVER_SAMPLE_RATE   fraction of requests whose input rows are sampled (default 1.0)
  MLVER_SAMPLE_CAP    rows kept in the sample log (default 10000)
  MLVER_SAMPLE_DIR    where the sample log is written (default $TMPDIR/mlver-samples)
  MLVER_MAX_BATCH_ROWS  rows of waiting requests predicted in one call (default 10000; 0: off)

example:
  python -m jupyter_mlver.serving --model-dir ./churn-2 --port 8080
  curl -s localhost:8080/invocations -H 'Content-Type: application/json' \\
       -d '{"dataframe_records": [{"age": 41, "plan": "basic"}]}'
"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m jupyter_mlver.serving",
        description="Serve a model directory (model.json + artifact/) over HTTP.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "command", nargs="?", choices=["serve"], help="accepted and ignored: SageMaker runs "
        "a serving container with the argument `serve`",
    )  # fmt: skip
    p.add_argument("--model-dir", type=Path, help="the model directory (see MLVER_MODEL_DIR)")
    p.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    p.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    p.add_argument("--sample-rate", help="fraction of requests sampled, 0..1 (MLVER_SAMPLE_RATE)")
    p.add_argument("--sample-cap", help="rows kept in the sample log (MLVER_SAMPLE_CAP)")
    p.add_argument("--sample-dir", type=Path, help="sample log directory (MLVER_SAMPLE_DIR)")
    p.add_argument(
        "--graceful-timeout", type=float, default=25.0, metavar="SECONDS",
        help="on SIGTERM, how long in-flight requests may take to finish (default 25)",
    )  # fmt: skip
    p.add_argument(
        "--max-batch-rows", type=int, metavar="N",
        help="requests waiting together are predicted in one call of up to N rows (default "
        f"{DEFAULT_MAX_ROWS}; MLVER_MAX_BATCH_ROWS); 0 predicts each request alone, for a model "
        "whose answer for a row depends on the other rows",
    )  # fmt: skip
    p.add_argument("--access-log", action="store_true", help="log every request")
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    return p


def max_batch_rows(given: int | None, environ: Mapping[str, str] = os.environ) -> int:
    if given is not None:
        return max(given, 0)
    text = environ.get("MLVER_MAX_BATCH_ROWS", "")
    return max(int(text), 0) if text.strip().isdigit() else DEFAULT_MAX_ROWS


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s: %(message)s")
    model_dir = args.model_dir or default_model_dir()
    try:
        settings = SampleSettings.from_env()
        rate = parse_rate(args.sample_rate) if args.sample_rate else settings.rate
        cap = parse_cap(args.sample_cap) if args.sample_cap else settings.cap
        served = load(model_dir)
    except MlverError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # an artifact its library cannot load (a module missing, a bad file)
        print(f"error: cannot load the model in {model_dir}: {exc!r}", file=sys.stderr)
        return 1

    import uvicorn

    from .app import create_app

    sampler = None
    if rate > 0:
        directory = args.sample_dir or settings.directory
        try:
            sampler = Sampler(directory, f"{served.name}-{served.version}", rate, cap)
        except OSError as exc:
            log.warning("input sampling is off: cannot write to %s (%s)", directory, exc)
    log.info(
        "serving %s version %s (%s) from %s on http://%s:%d",
        served.name, served.version, served.flavor, model_dir, args.host, args.port,
    )  # fmt: skip
    config = uvicorn.Config(
        create_app(served, sampler, max_batch_rows(args.max_batch_rows)),
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=args.access_log,
        timeout_graceful_shutdown=args.graceful_timeout,
        lifespan="off",
        server_header=False,
    )
    # uvicorn drains requests in flight on SIGTERM/SIGINT, then raises the signal again for the
    # handler that was there before it: these make that a plain exit, also as a container's
    # PID 1 (which the kernel does not kill with a signal it sends itself).
    signal.signal(signal.SIGTERM, _exit_with(0))
    signal.signal(signal.SIGINT, _exit_with(130))
    uvicorn.Server(config).run()
    return 0


def _exit_with(status: int) -> Callable[[int, FrameType | None], None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(status)

    return handler


if __name__ == "__main__":
    sys.exit(main())
