"""Version numbers claimed on a remote: ``claims/models/<name>/<number>``.

A claim is created only if absent (``conditional.create``), so one writer wins each number.
Its body is the ``mlver.number/1`` record of the publication (the version record's id, its
number before and after, who, when); a claim is never rewritten or removed. Bodies are
read once and remembered in the ledger (``claims`` table), so a pull lists the claims (one
request per 1000) and reads only the new ones.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote, unquote

from ..hashing import hash_bytes
from ..models.numbers import parse_claim
from ..records import Record
from .backend import RemoteFS
from .ledger import Ledger


@dataclass(frozen=True)
class Claim:
    """Number ``number`` of ``model`` on a remote; ``record`` is the version record that
    holds it (None when its body is not a publication: the number is taken all the same)."""

    model: str
    number: int
    record: str | None
    body: bytes | None = None

    @property
    def claim_id(self) -> str | None:
        return hash_bytes(self.body) if self.body is not None else None


def key(rfs: RemoteFS, model: str, number: int) -> str:
    return f"{rfs.root}/claims/models/{quote(model, safe='')}/{number}"


def _listed(rfs: RemoteFS, model: str | None) -> list[tuple[str, int]]:
    """``(model, number)`` of every claim (of one model, or of all)."""
    where = f"{rfs.root}/claims/models" + (f"/{quote(model, safe='')}" if model else "")
    rfs.invalidate()
    try:
        with rfs.translate("list version claims", missing_ok=True):
            keys = rfs.fs.find(where, detail=False)
    except FileNotFoundError:
        return []
    out = []
    for found in keys:
        parts = found.rsplit("/", 2)
        if len(parts) == 3 and parts[2].isdigit() and int(parts[2]) >= 1:
            out.append((unquote(parts[1]), int(parts[2])))
    return out


def read(rfs: RemoteFS, model: str, number: int) -> Claim:
    """One claim's body (it exists: a create of it was refused, or it was listed)."""
    with rfs.translate(f"read the claim of {model}:{number}"):
        raw = bytes(rfs.fs.cat_file(key(rfs, model, number)))
    parsed = parse_claim(raw, model, number)
    return Claim(model, number, parsed["model_record"] if parsed else None, raw)


def listing(
    rfs: RemoteFS, ledger: Ledger, model: str | None = None, jobs: int = 16
) -> dict[str, dict[int, Claim]]:
    """Model -> number -> claim, for every claim on the remote (of one model, or all);
    bodies the ledger does not know yet are read (in parallel) and remembered."""
    listed = _listed(rfs, model)
    known = ledger.claims(rfs.remote.ident)
    todo = [(m, n) for m, n in listed if (m, n) not in known]

    def one(item: tuple[str, int]) -> Claim:
        return read(rfs, *item)

    with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(todo)))) as pool:
        fresh = list(pool.map(one, todo))
    ledger.add_claims(rfs.remote.ident, [(c.model, c.number, c.record) for c in fresh])
    out: dict[str, dict[int, Claim]] = {}
    bodies = {(c.model, c.number): c for c in fresh}
    for m, n in listed:
        claim = bodies.get((m, n)) or Claim(m, n, known[(m, n)])
        out.setdefault(m, {})[n] = claim
    return out


def body_of(rfs: RemoteFS, claim: Claim) -> Record | None:
    """The publication record of a claim (read again if only its holder was remembered)."""
    raw = claim.body if claim.body is not None else read(rfs, claim.model, claim.number).body
    return parse_claim(raw, claim.model, claim.number) if raw is not None else None
