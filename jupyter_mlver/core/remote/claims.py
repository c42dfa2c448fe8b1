"""Version numbers claimed on a remote: ``claims/models/<name>/<number>``.

A claim is created only if absent (``conditional.create``), so one writer wins each number.
Its body is the ``mlver.number/1`` record of the publication (the version record's id, its
number before and after, who, when); a claim is never rewritten or removed. Bodies are
read once and remembered in the ledger (``claims`` table), so a pull lists the claims (one
request per 1000) and reads only the new ones.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote, unquote

from ..errors import RemoteError
from ..hashing import hash_bytes
from ..models.numbers import parse_claim
from ..records import NumberRecord
from .backend import RemoteFS
from .ledger import Ledger

#: How long a refused create waits for the winner's claim to become readable (SeaweedFS
#: takes ~0.1-0.3 s under load) before it tries its create again.
READ_WAIT = 5.0


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


def read(rfs: RemoteFS, model: str, number: int, wait: float = READ_WAIT) -> Claim | None:
    """One claim's body, or None if there is none after ``wait`` seconds. A server may
    refuse a create while another upload of the key is in flight (SeaweedFS does) and that
    upload may still fail (its client gone), so a refused create is no proof of a claim:
    the caller tries its create again when this says None."""
    delay, waited = 0.02, 0.0
    while True:
        # s3fs answers "not found" from a listing it cached (our own listing of the claims,
        # made before this one landed) without asking: forget it first.
        rfs.invalidate()
        try:
            with rfs.translate(f"read the claim of {model}:{number}", missing_ok=True):
                raw = bytes(rfs.fs.cat_file(key(rfs, model, number)))
            break
        except FileNotFoundError:
            if waited >= wait:
                return None
            time.sleep(delay)
            waited += delay
            delay = min(1.0, delay * 2)
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
        found = read(rfs, *item)
        if found is None:  # listed, so written: never gone
            raise RemoteError(
                f"remote {rfs.remote.name}: the claim of {item[0]}:{item[1]} is listed but "
                "cannot be read",
                "run it again; if it persists, check the remote",
            )
        return found

    with ThreadPoolExecutor(max_workers=max(1, min(jobs, len(todo)))) as pool:
        fresh = list(pool.map(one, todo))
    ledger.add_claims(rfs.remote.ident, [(c.model, c.number, c.record) for c in fresh])
    out: dict[str, dict[int, Claim]] = {}
    bodies = {(c.model, c.number): c for c in fresh}
    for m, n in listed:
        claim = bodies.get((m, n)) or Claim(m, n, known[(m, n)])
        out.setdefault(m, {})[n] = claim
    return out


def body_of(rfs: RemoteFS, claim: Claim) -> NumberRecord | None:
    """The publication record of a claim (read again if only its holder was remembered)."""
    if claim.body is None:
        found = read(rfs, claim.model, claim.number)
        claim = found if found is not None else claim
    raw = claim.body
    return parse_claim(raw, claim.model, claim.number) if raw is not None else None
