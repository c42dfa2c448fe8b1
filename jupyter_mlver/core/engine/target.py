"""The platform an image's packages must install on: its Python, machine and glibc.

Wheels are resolved on the host for the *image*, not for the host, so pip needs the
image's tags. They are read from the base image itself (``PROBE`` runs in it once per
base image id); without an engine (``--dry-run``) they are assumed from the environment.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from ..errors import InvalidInput
from ..records import EnvironmentRecord, Unreproducible

#: Runs inside the base image with its own python; prints one JSON line.
PROBE = """\
import json, os, platform, sys
try:
    libc = os.confstr("CS_GNU_LIBC_VERSION")
except (ValueError, OSError, AttributeError):
    libc = None
print(json.dumps({"python": platform.python_version(),
                  "implementation": platform.python_implementation(),
                  "machine": platform.machine(), "libc": libc}))
"""

#: ``sh -c`` line that runs PROBE with python3, else python (``$0`` is the script).
PROBE_COMMAND = [
    "/bin/sh",
    "-c",
    'exec "$(command -v python3 || command -v python)" -c "$0"',
    PROBE,
]

#: What the default base (Debian bookworm ``python:*-slim``) has, when nothing can be asked.
ASSUMED_GLIBC = "2.36"
_MACHINES = {"arm64": "aarch64", "amd64": "x86_64", "AMD64": "x86_64"}


@dataclass(frozen=True)
class Target:
    """Where wheels must install: ``python`` is the full version of the image's interpreter."""

    python: str
    machine: str
    glibc: str | None
    probed: bool

    @property
    def major_minor(self) -> str:
        return ".".join(self.python.split(".")[:2])

    @property
    def abi(self) -> str:
        return "cp" + self.major_minor.replace(".", "")

    @property
    def key(self) -> str:
        """Identifies which wheels fit: equal keys can share downloaded wheels."""
        return f"{self.abi}-{self.machine}-glibc{self.glibc or 'none'}"

    def platforms(self) -> list[str]:
        """pip ``--platform`` values, best first: manylinux down from the image's glibc."""
        out: list[str] = []
        if self.glibc:
            major, _, minor = self.glibc.partition(".")
            if major == "2" and minor.isdigit():
                out += [f"manylinux_2_{m}_{self.machine}" for m in range(int(minor), 4, -1)]
                # The legacy aliases of 2_17, 2_12 and 2_5 that older wheels still use.
                legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
                out += [f"{name}_{self.machine}" for m, name in legacy.items() if m <= int(minor)]
        out.append(f"linux_{self.machine}")
        return out

    def pip_args(self) -> list[str]:
        # The full version, so Requires-Python is checked against the image's interpreter
        # (a package may need 3.11.5 while the image has 3.11.2).
        args = ["--implementation", "cp", "--python-version", self.python]
        for abi in (self.abi, "abi3", "none"):
            args += ["--abi", abi]
        for plat in self.platforms():
            args += ["--platform", plat]
        return args

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_probe(cls, output: str, base: str) -> Target:
        try:
            info = json.loads(output.strip().splitlines()[-1])
        except (ValueError, IndexError):
            raise InvalidInput(
                f"base image {base!r} has no working Python",
                "use a base image with python3 (e.g. python:3.11-slim)",
            ) from None
        if info.get("implementation") != "CPython":
            raise InvalidInput(
                f"base image {base!r} runs {info.get('implementation')}, not CPython",
                "use a CPython base image",
            )
        libc = info.get("libc") or ""
        glibc = libc.split()[1] if libc.startswith("glibc ") else None
        return cls(python=info["python"], machine=info["machine"], glibc=glibc, probed=True)

    @classmethod
    def assumed(cls, environment: EnvironmentRecord) -> Target:
        """The target guessed from an environment record (no engine to ask)."""
        plat = environment["platform"]
        machine = _MACHINES.get(plat.get("machine", ""), plat.get("machine") or "x86_64")
        libc = plat.get("libc") or ""
        glibc = (
            libc.split()[1] if plat.get("system") == "Linux" and libc.startswith("glibc ") else None
        )
        return cls(
            python=environment["python"]["version"],
            machine=machine,
            glibc=glibc or ASSUMED_GLIBC,
            probed=False,
        )


def check_compatible(
    target: Target, environment: EnvironmentRecord, base: str, suggested: str | None = None
) -> list[Unreproducible]:
    """Fail when the image's Python cannot take the environment's wheels; list a patch-level
    difference (it changes nothing the wheels see, but it is a difference). ``suggested``
    is the base with the environment's Python to name."""
    recorded = environment["python"]["version"]
    suggested = suggested or f"python:{recorded}-slim"
    if environment["python"].get("implementation", "CPython") != "CPython":
        raise InvalidInput(
            f"the environment runs {environment['python']['implementation']}; "
            "only CPython environments can be built",
        )
    if target.probed and target.glibc is None:
        raise InvalidInput(
            f"base image {base!r} has no glibc (musl, e.g. Alpine?): the environment's "
            "manylinux wheels do not install there",
            "use a Debian- or Ubuntu-based image such as python:<version>-slim",
        )
    wanted = ".".join(recorded.split(".")[:2])
    if target.major_minor != wanted:
        raise InvalidInput(
            f"base image {base!r} has Python {target.python}; the environment recorded "
            f"Python {recorded}",
            f"use a base image with Python {recorded}: --base {suggested} (or "
            "$MLVER_BASE_IMAGE, c.Mlver.base_image)",
        )
    if target.python != recorded:
        return [
            {
                "name": "python",
                "reason": f"the base image has Python {target.python}; "
                f"the environment recorded {recorded} ({suggested} has it)",
            }
        ]
    return []
