"""A team sharing one remote: each user a clone of the project in its own folder, with its
own store and git identity, as separate machines would have."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression

from jupyter_mlver.core import remote
from jupyter_mlver.core.models import registry
from jupyter_mlver.core.models.artifacts import prepare_path
from jupyter_mlver.core.models.options import RegistrationOptions
from jupyter_mlver.core.models.records import Gate
from jupyter_mlver.core.snapshot.take import SnapshotOptions, take_snapshot
from jupyter_mlver.core.store.store import Store
from tests.support import git

X, Y = make_classification(n_samples=40, n_features=4, random_state=5)


def fitted(seed: float) -> LogisticRegression:
    """A model whose coefficients say which user and version made it."""
    return LogisticRegression(C=0.05 + seed).fit(X, Y)


@dataclass
class User:
    name: str
    root: Path

    @classmethod
    def clone(cls, project: Path, name: str, target: Any, where: Path | None = None) -> User:
        root = (where or project.parent) / name
        subprocess.run(["git", "clone", "-q", str(project), str(root)], check=True)
        git(root, "config", "user.name", name)
        git(root, "config", "user.email", f"{name}@example.org")
        user = cls(name, root)
        with Store.open(root, create=True):
            pass
        user.use(target)
        return user

    def copy(self, where: Path, target: Any) -> User:
        """This user's clone and store as they are, elsewhere, pushing to ``target``."""
        root = where / self.name
        shutil.copytree(self.root, root, symlinks=True)
        user = User(self.name, root)
        user.use(target)
        return user

    def use(self, target: Any) -> None:
        """Make ``target`` (or nothing) the remote ``origin``."""
        with self.store() as store:
            if any(r.name == "origin" for r in remote.list_remotes(store)):
                remote.remove_remote(store, "origin")
            if target is not None:
                remote.add_remote(store, "origin", target.url, dict(target.options))

    def store(self) -> Store:
        return Store.open(self.root)

    def register(self, model: str, seed: float, **metrics: float) -> str:
        """A new version of ``model`` (a joblib file of ``fitted(seed)``); its record id."""
        path = self.root / f"{model}-{seed}.joblib"
        joblib.dump(fitted(seed), path)
        with self.store() as store:
            sid = take_snapshot(store, SnapshotOptions(message=f"{seed}", metrics=metrics))["id"]
            prepared = prepare_path(store, path, None)
            try:
                options = RegistrationOptions(model, gate=Gate("auc") if metrics else None)
                record = registry.register(store, prepared, options, snapshot=str(sid))
            finally:
                prepared.cleanup()
        return str(record["id"])

    def push(self, *refs: str) -> remote.TransferResult:
        with self.store() as store:
            result = remote.push(store, "origin", refs)
        assert result.ok, result.problems
        return result

    def pull(self, *refs: str) -> remote.TransferResult:
        with self.store() as store:
            result = remote.pull(store, "origin", refs)
        assert result.ok, result.problems
        return result

    def numbers(self, model: str) -> dict[str, tuple[int, bool]]:
        """Record id -> (its number here, published)."""
        with self.store() as store:
            return {rid: (n, pub) for n, rid, pub in store.index.model_rows(model)}

    def load_coef(self, ref: str) -> list[float]:
        with self.store() as store:
            loaded: Any = registry.load(store, ref)
        return [float(c) for c in loaded.coef_.ravel()]


def distinct(numbers: dict[str, tuple[int, bool]]) -> bool:
    values = [n for n, _ in numbers.values()]
    return len(values) == len(set(values))


def build_team(base: Path) -> dict[str, Any]:
    """Alice registered churn twice (auc 0.8, 0.9), Bob once (0.85), each in a clone of
    their own under ``base`` (nothing pushed, no remote): made once, copied by tests."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GIT_CONFIG_GLOBAL", str(base / "gitconfig"))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.delenv("MLVER_STORE", raising=False)
        project = base / "project"
        project.mkdir()
        git(project, "init", "-q", "-b", "main")
        (project / "train.py").write_text("print('train')\n")
        git(project, "add", "train.py")
        git(project, "-c", "user.name=Ada", "-c", "user.email=ada@example.org", "commit",
            "-q", "-m", "initial")  # fmt: skip
        alice = User.clone(project, "alice", None)
        bob = User.clone(project, "bob", None)
        seeds = {
            alice.register("churn", 1.0, auc=0.8): 1.0,
            alice.register("churn", 2.0, auc=0.9): 2.0,
            bob.register("churn", 3.0, auc=0.85): 3.0,
        }
    return {"alice": alice, "bob": bob, "seeds": seeds}
