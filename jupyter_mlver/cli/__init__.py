"""``jupyter mlver``: the command-line front door over the same core calls as the magics.

Each module registers its commands; the core is imported only by the command that runs,
so ``jupyter mlver`` starts fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .._version import __version__
from ..core.errors import MlverError
from . import compare, env, models, remote, store

EPILOG = """\
examples:
  jupyter mlver snapshot -m "baseline" --data data/ --param lr=0.01 --metric acc=0.93
  jupyter mlver list -n 10
  jupyter mlver show HEAD            (also HEAD~1, a tag, or an id prefix of 4+ hex digits)
  jupyter mlver tag HEAD v1.0
  jupyter mlver diff HEAD~1 HEAD
  jupyter mlver env build --tag 1.0.0 --push registry.example.com/team/project
  jupyter mlver remote add origin s3://team-bucket/mlver && jupyter mlver push
  jupyter mlver model register churn model.joblib --alias staging
  jupyter mlver model alias churn:2 production     (guarded by the model's --gate metric)
  jupyter mlver fsck

In a notebook: %load_ext jupyter_mlver, then %mlver snapshot (see %mlver -h).
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jupyter mlver",
        description="Versioned, reproducible ML experiments: snapshots of notebooks, data, "
        "packages and git state in a local store (.mlver/).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"jupyter_mlver {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--store",
        metavar="DIR",
        help="the store directory (default: $MLVER_STORE or the nearest .mlver/)",
    )
    common.add_argument("--json", action="store_true", help="print JSON instead of text")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    store.register(sub, common)  # snapshot, list, show, tag, fsck, reindex, gc
    compare.register(sub, common)  # diff, checkout, reproduce
    remote.register(sub, common)  # remote, push, pull
    env.register(sub, common)  # env build, show, verify, dockerfile
    models.register(sub, common)  # model register, list, show, alias, rollback, history
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "n", 0) is not None and getattr(args, "n", 0) < 0:
        parser.error("-n must be 0 or more")
    try:
        return int(args.handler(args))
    except MlverError as e:
        print(f"jupyter mlver: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("jupyter mlver: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `jupyter mlver list | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
