"""An image's names and identity: repository, tags, labels, and the inputs hash that
decides whether an earlier image can be reused."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ... import _version
from .. import records
from ..errors import InvalidInput
from ..hashing import hash_bytes
from ..records import EnvironmentRecord
from ..store.store import Store
from .source import BuildOptions, Source

#: Bump when render() or the context layout changes what an image contains: images
#: recorded by an older renderer are then not reused.
RENDER_VERSION = 1
DOCKER_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_REPO_PART = re.compile(r"[^a-z0-9._-]+")
#: Recorded variables that change what code computes; baked into the image's ENV.
BAKED_ENV_VARS = (
    "PYTHONHASHSEED",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "CUBLAS_WORKSPACE_CONFIG",
    "TF_DETERMINISTIC_OPS",
    "TZ",
)


def repository_name(store: Store, options: BuildOptions) -> str:
    """``<prefix><name>``; the name (default: the project directory's) is made a valid
    repository path: lowercase, ``[a-z0-9._-]`` components separated by ``/``."""
    raw = options.name or store.root.name
    parts = [_REPO_PART.sub("-", part.lower()).strip("._-") for part in raw.split("/")]
    name = "/".join(p for p in parts if p) or "mlver-env"
    return f"{options.prefix}{name}"


def _check_tag(tag: str) -> str:
    if not DOCKER_TAG.match(tag):
        raise InvalidInput(
            f"invalid image tag {tag!r}",
            "use letters, digits, '.', '_' and '-' (e.g. 1.2.0 or v1.2.0)",
        )
    return tag


def explicit_tags(options: BuildOptions) -> list[str]:
    """The tags the user (``--tag``) or the caller (extras) chose by name."""
    return ([options.tag] if options.tag else []) + (
        list(options.extras.tags) if options.extras is not None else []
    )


def tag_names(options: BuildOptions, source: Source) -> list[str]:
    """``<semver>``, the extras' tags, ``<git short sha>``, ``env-<fingerprint12>``,
    ``snap-<snapshot12>``."""
    tags = [_check_tag(options.tag)] if options.tag else []
    if options.extras is not None:
        tags += [_check_tag(t) for t in options.extras.tags]
    commit = source.git.get("commit") if source.git else None
    if commit:
        tags.append(commit[:7])
    tags.append(f"env-{source.environment['fingerprint'][:12]}")
    if source.snapshot_id:
        tags.append(f"snap-{source.snapshot_id[:12]}")
    return list(dict.fromkeys(tags))


def baked_env(environment: EnvironmentRecord) -> dict[str, str]:
    recorded = environment.get("env_vars") or {}
    return {k: recorded[k] for k in BAKED_ENV_VARS if k in recorded}


def build_inputs(
    source: Source,
    base: str,
    base_id: str | None,
    options: BuildOptions,
    local_wheels: Mapping[str, str],
) -> str:
    """What decides an image's content besides the labels: equal inputs, equal image.
    ``local_wheels`` are the hashes of the wheels built for local packages whose source
    is outside the project's code (the commit and diff do not cover them)."""
    git: Mapping[str, object] = source.git or {}
    notebook: Mapping[str, object] = source.notebook or {}
    inputs = {
        "render": RENDER_VERSION,
        "fingerprint": source.environment["fingerprint"],
        "base": base,
        "base_id": base_id,
        "online": options.online,
        "git": {k: git.get(k) for k in ("root", "commit", "diff", "diff_omitted")},
        "notebook": {k: notebook.get(k) for k in ("path", "hash")},
        "env": baked_env(source.environment),
    }
    if local_wheels:
        inputs["local_wheels"] = dict(local_wheels)
    if options.extras is not None:
        inputs["extras"] = options.extras.digest()
    return hash_bytes(records.canonical_json(inputs))


def labels(
    name: str,
    options: BuildOptions,
    source: Source,
    base: str,
    inputs: str,
    created: str,
    tags: list[str],
) -> dict[str, str]:
    """OCI and ``io.mlver.*`` labels, and the extras' own (which cannot replace ours)."""
    git, notebook = source.git, source.notebook
    own = {
        "org.opencontainers.image.created": created,
        "org.opencontainers.image.title": name.rsplit("/", 1)[-1],
        "org.opencontainers.image.version": options.tag or tags[0],
        "org.opencontainers.image.revision": (git.get("commit") if git else None) or "",
        "org.opencontainers.image.source": (git.get("remote") if git else None) or "",
        "org.opencontainers.image.base.name": base,
        "io.mlver.snapshot": source.snapshot_id or "",
        "io.mlver.environment": source.environment["id"],
        "io.mlver.fingerprint": source.environment["fingerprint"],
        "io.mlver.inputs": inputs,
        "io.mlver.notebook": (notebook.get("path") if notebook else None) or "",
        "io.mlver.schema": records.IMAGE,
        "io.mlver.version": _version.__version__,
    }
    extra = dict(options.extras.labels) if options.extras is not None else {}
    return {k: v for k, v in {**extra, **own}.items() if v}
