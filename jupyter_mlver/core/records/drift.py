"""``mlver.drift/1``: what ``jupyter mlver drift`` and ``GET drift`` answer (a report, not a
stored record; ``core/drift/report.py`` makes it). Numbers that are not finite are null."""

from .common import NotRequired, TypedDict


class DriftTarget(TypedDict):
    """What a side of the report is: a snapshot, the files on disk, or one file."""

    source: str  # snapshot | disk | file
    snapshot: NotRequired[str]
    path: NotRequired[str]


class SideJson(TypedDict):
    """Where one side of a file's comparison came from."""

    source: str  # snapshot | disk | file
    path: str
    snapshot: str | None
    hash: str | None
    rows: int | None


class HistogramJson(TypedDict):
    """Each side's shares in equal bins over both (``edges``), or of the most common
    categories (``categories``, the rest as ``(other)``)."""

    kind: str  # bins | categories
    reference: list[float]
    current: list[float]
    edges: NotRequired[list[float]]
    categories: NotRequired[list[str]]


class ColumnDriftJson(TypedDict):
    name: str
    type: str  # numerical | categorical | ...
    test: str | None  # None: not tested (``note`` says why)
    statistic: float | None
    p_value: float | None
    distance: float | None
    threshold: float | None
    drifted: bool
    note: NotRequired[str]
    histogram: NotRequired[HistogramJson]  # drifted columns, when asked for


class FileDriftJson(TypedDict):
    path: str
    reference: SideJson
    current: SideJson
    columns: list[ColumnDriftJson]
    drift_share: float  # the share of tested columns that drifted
    drifted: bool
    share_threshold: NotRequired[float]  # the rest only when the file could be compared
    only_in_reference: NotRequired[list[str]]
    only_in_current: NotRequired[list[str]]
    note: NotRequired[str]  # why it could not be compared


class DriftReportJson(TypedDict):
    schema: str
    reference: DriftTarget
    current: DriftTarget
    files: list[FileDriftJson]
    drifted: bool
