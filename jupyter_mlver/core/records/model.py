"""``mlver.model/1``: a version of a registered model (``core/models/records.py:
model_record``; the artifact from ``artifacts.py``, the signature from ``signature.py``)."""

from .common import Author, NotRequired, TypedDict


class ArtifactFile(TypedDict):
    path: str
    hash: str
    size: int


class Artifact(TypedDict):
    hash: str  # a file's hash, or a directory's manifest hash (itself an object)
    size: int
    kind: str  # file | dir | object
    path: str | None  # where it was registered from, or the variable an object came from
    files: NotRequired[list[ArtifactFile]]  # a directory's (or saved object's) files


class SignatureInput(TypedDict):
    name: str
    dtype: str  # a numpy dtype name; empty when unknown
    shape: NotRequired[list[int]]  # a tensor's, -1 for the batch


class SignatureOutput(TypedDict):
    name: str  # predict | predict_proba
    dtype: str
    shape: list[int]  # -1: the rows


class Signature(TypedDict):
    format: str  # dataframe | columns | records | ndarray | rows | tensor
    inputs: list[SignatureInput]
    outputs: NotRequired[list[SignatureOutput]]  # each method's answer on the example


class GateSpec(TypedDict):
    metric: str
    higher_is_better: bool


class ModelRecord(TypedDict):
    id: NotRequired[str]  # added when read
    # Added when read, like id: whether the number is claimed on a remote (``version`` is
    # then the number it has in this store, which a push or pull may still change).
    published: NotRequired[bool]
    schema: str
    name: str
    version: int
    artifact: Artifact
    flavor: str
    signature: Signature | None
    snapshot: str
    gate: GateSpec | None
    author: Author
    created: str
    description: str
