"""Records: one TypedDict per kind (a module each) and their stored form (``canonical.py``).

``from jupyter_mlver.core.records import SnapshotRecord, canonical_json, ...``: every kind and
its stored form are here (the parts of a drift report only in ``records.drift``, which
``core/drift`` alone builds). Constructors return their kind's TypedDict and
``Store.get(rid, ModelRecord)`` reads a record as its kind; a function that takes a record
of any kind takes ``Mapping[str, Any]`` (every TypedDict is one); ``Record``
(``dict[str, Any]``) is a record read without its kind (``Store.get(rid)``).
``tests/test_record_types.py`` holds the types and ``jupyter_mlver/schemas/*.json`` equal.
"""

from .alias import AliasRecord
from .canonical import (
    ALIAS,
    DEPLOYMENT,
    ENVIRONMENT,
    IMAGE,
    KINDS,
    MODEL,
    NUMBER,
    RUN_ENV,
    RUN_MARKER,
    SNAPSHOT,
    TAG,
    Record,
    canonical_json,
    check_scalar,
    decode,
    encode,
    kind,
    now,
    references,
)
from .common import Author, Scalar
from .deployment import DeploymentRecord
from .drift import DriftReportJson, DriftTarget
from .environment import (
    Conda,
    EnvironmentRecord,
    Gpu,
    Hardware,
    Package,
    PlatformInfo,
    PythonInfo,
)
from .image import (
    ImageRecord,
    ModelPackagesInfo,
    PackageReasons,
    ServedModel,
    Server,
    ServingFields,
    Unreproducible,
)
from .model import (
    Artifact,
    ArtifactFile,
    GateSpec,
    ModelRecord,
    Signature,
    SignatureInput,
    SignatureOutput,
)
from .number import NumberRecord
from .run import RunContext, RunOutcome, RunSection
from .snapshot import (
    DataEntry,
    ExecutedCell,
    ExecutionInfo,
    ExecutionWarning,
    GitInfo,
    KernelInfo,
    NamespaceEntry,
    NotebookInfo,
    ReproducedMetric,
    Reproduction,
    ReproductionError,
    SnapshotRecord,
)
from .tag import TagRecord

#: Each kind's TypedDict and its schema: ``Store.get(rid, ModelRecord)`` reads a record as
#: its kind (and refuses a record of another kind).
TYPES: dict[object, str] = {
    SnapshotRecord: SNAPSHOT,
    EnvironmentRecord: ENVIRONMENT,
    ImageRecord: IMAGE,
    TagRecord: TAG,
    ModelRecord: MODEL,
    AliasRecord: ALIAS,
    DeploymentRecord: DEPLOYMENT,
    NumberRecord: NUMBER,
}

__all__ = [
    "ALIAS",
    "DEPLOYMENT",
    "ENVIRONMENT",
    "IMAGE",
    "KINDS",
    "MODEL",
    "NUMBER",
    "RUN_ENV",
    "RUN_MARKER",
    "SNAPSHOT",
    "TAG",
    "TYPES",
    "AliasRecord",
    "Artifact",
    "ArtifactFile",
    "Author",
    "Conda",
    "DataEntry",
    "DeploymentRecord",
    "DriftReportJson",
    "DriftTarget",
    "EnvironmentRecord",
    "ExecutedCell",
    "ExecutionInfo",
    "ExecutionWarning",
    "GateSpec",
    "GitInfo",
    "Gpu",
    "Hardware",
    "ImageRecord",
    "KernelInfo",
    "ModelPackagesInfo",
    "ModelRecord",
    "NamespaceEntry",
    "NotebookInfo",
    "NumberRecord",
    "Package",
    "PackageReasons",
    "PlatformInfo",
    "PythonInfo",
    "Record",
    "ReproducedMetric",
    "Reproduction",
    "ReproductionError",
    "RunContext",
    "RunOutcome",
    "RunSection",
    "Scalar",
    "ServedModel",
    "Server",
    "ServingFields",
    "Signature",
    "SignatureInput",
    "SignatureOutput",
    "SnapshotRecord",
    "TagRecord",
    "Unreproducible",
    "canonical_json",
    "check_scalar",
    "decode",
    "encode",
    "kind",
    "now",
    "references",
]
