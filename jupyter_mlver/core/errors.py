"""One error hierarchy for every front door (magics, CLI, server) to map in one place."""

from __future__ import annotations


class MlverError(Exception):
    """Base of every expected failure. ``hint`` tells the user what to do next."""

    status = 400

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InvalidInput(MlverError):
    """The user asked for something malformed (a bad K=V, a missing path, a bad tag name)."""


class StoreError(MlverError):
    """The store cannot be opened, written or trusted."""

    status = 500


class RecordNotFound(MlverError):
    """A ref names no record."""

    status = 404


class AmbiguousRef(MlverError):
    """A ref prefix matches several records."""

    status = 400


class Conflict(MlverError):
    """The request conflicts with the store (a tag in use, a file that would be lost)."""

    status = 409


class PromotionRefused(Conflict):
    """A guard keeps a version out of an alias (``production``'s gate). In a notebook it fails
    its cell, so Run All stops before the cells that assume the promotion."""

    code = "conflict"  # the REST API's error code, as before it had a class of its own


class EngineUnavailable(MlverError):
    """No container engine answers."""

    status = 503


class BuildFailed(MlverError):
    """An image build failed; the message names the step, the log is kept in the store."""

    status = 500


class RemoteError(MlverError):
    """A remote cannot be reached, read or trusted (bad URL, missing backend, corrupt object)."""

    status = 502
