"""Remotes as ``[remotes.NAME]`` tables in ``.mlver/config.toml`` — URLs and options only.

Credentials never go here: they come from the storage library's own sources (environment
variables, profiles, instance roles, ssh agents). A URL with a password in it, or an option
whose name looks like a secret, is refused before anything is written.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import tomli_w

from ..capture.secrets import is_secret_name, strip_url_credentials
from ..errors import InvalidInput, RecordNotFound, RemoteError, StoreError
from ..params import parse_value

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

if TYPE_CHECKING:
    from ..store.store import Store

SECTION = "remotes"
REMOTE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
#: Keys of a remote table that are ours; every other key is a storage option for fsspec.
OWN_KEYS = frozenset({"url", "default"})
#: Query parameters that carry credentials in signed URLs (Azure SAS, GCS/S3 presigning).
_SECRET_QUERY = re.compile(r"^(sig|signature|x-amz-.*|x-goog-.*|sv|se|sp)$", re.IGNORECASE)
NO_CREDENTIALS = (
    "credentials never go into config.toml: they come from the environment or a "
    "profile (e.g. AWS_PROFILE, GOOGLE_APPLICATION_CREDENTIALS, an ssh agent)"
)


@dataclass(frozen=True)
class Remote:
    """A named remote: an fsspec URL and the storage options that are not credentials."""

    name: str
    url: str
    options: dict[str, Any] = field(default_factory=dict)
    default: bool = False

    @property
    def protocol(self) -> str:
        return self.url.split("://", 1)[0] if "://" in self.url else "file"

    @property
    def ident(self) -> str:
        """What the local ledger of pushed objects is keyed by: the same bucket behind
        another endpoint is another remote, a renamed remote is the same one."""
        endpoint = self.options.get("endpoint_url") or (
            self.options.get("client_kwargs") or {}
        ).get("endpoint_url")
        return f"{self.url} @ {endpoint}" if endpoint else self.url

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def check_name(name: str) -> None:
    if not REMOTE_NAME.match(name):
        raise InvalidInput(
            f"invalid remote name {name!r}", "use letters, digits, _ and -, starting with a letter"
        )


def normalize_url(url: str, base: Path | None = None) -> str:
    """The URL as it is kept: local paths made absolute; URLs with credentials refused."""
    url = url.strip()
    if not url:
        raise InvalidInput("the remote URL is empty", "give a path or a URL like s3://bucket/dir")
    if "://" not in url:
        path = Path(url).expanduser()
        if not path.is_absolute():
            path = (base or Path.cwd()) / path
        return os.path.normpath(path.absolute()).replace(os.sep, "/")
    if strip_url_credentials(url) != url:
        raise InvalidInput("the remote URL contains a password or token", NO_CREDENTIALS)
    parts = urlsplit(url)
    for key, _ in parse_qsl(parts.query, keep_blank_values=True):
        if is_secret_name(key) or _SECRET_QUERY.match(key):
            raise InvalidInput(
                f"the remote URL carries a credential in its query ({key}=…)",
                NO_CREDENTIALS,
            )
    protocol = parts.scheme.lower()
    if protocol == "file":
        return normalize_url(parts.path, base)
    check_protocol(protocol)
    return url.rstrip("/") if parts.path not in ("", "/") else url


def check_protocol(protocol: str) -> None:
    """Fail early, with the package to install, when fsspec cannot speak ``protocol``."""
    import fsspec
    from fsspec.registry import known_implementations

    try:
        fsspec.get_filesystem_class(protocol)
    except ValueError:
        raise InvalidInput(
            f"unknown storage protocol {protocol}://",
            "use a path, s3://, gs://, az://, ssh:// or another fsspec URL",
        ) from None
    except ImportError:
        err = known_implementations.get(protocol, {}).get("err") or "install its fsspec backend"
        extra = " (or pip install 'jupyter_mlver[s3]')" if protocol in ("s3", "s3a") else ""
        raise RemoteError(
            f"{protocol}:// needs a package that is not installed", f"{err}{extra}"
        ) from None


def check_options(options: dict[str, Any], where: str = "") -> None:
    for key, value in options.items():
        if is_secret_name(key):
            raise InvalidInput(
                f"remote option {where}{key} looks like a credential",
                NO_CREDENTIALS,
            )
        if isinstance(value, dict):
            check_options(value, f"{where}{key}.")
        elif isinstance(value, str) and "://" in value and strip_url_credentials(value) != value:
            raise InvalidInput(f"remote option {where}{key} contains a password", NO_CREDENTIALS)


def parse_options(items: list[str]) -> dict[str, Any]:
    """``["endpoint_url=http://…", "client_kwargs.region_name=eu-west-1"]`` -> nested dict."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key or any(not part for part in key.split(".")):
            raise InvalidInput(
                f"-o expects KEY=VALUE, got {item!r}",
                "for example -o endpoint_url=http://127.0.0.1:9000",
            )
        *parents, leaf = key.split(".")
        table = out
        for part in parents:
            table = table.setdefault(part, {})
            if not isinstance(table, dict):
                raise InvalidInput(f"-o {key}: {part} is already a value")
        if leaf in OWN_KEYS and not parents:
            raise InvalidInput(f"-o {key}: {leaf} is not a storage option")
        table[leaf] = parse_value(raw.strip())
    check_options(out)
    return out


# -- reading ------------------------------------------------------------------------


def list_remotes(store: Store) -> list[Remote]:
    tables = store.config().get(SECTION) or {}
    if not isinstance(tables, dict):
        raise StoreError(f"{store.dir / 'config.toml'}: [{SECTION}] must be a table")
    out = []
    for name, table in tables.items():
        if not isinstance(table, dict) or not isinstance(table.get("url"), str):
            raise StoreError(
                f"{store.dir / 'config.toml'}: remote {name!r} has no url",
                f"fix it or run `jupyter mlver remote remove {name}`",
            )
        options = {k: v for k, v in table.items() if k not in OWN_KEYS}
        out.append(Remote(name, table["url"], options, bool(table.get("default", False))))
    return sorted(out, key=lambda r: r.name)


def get_remote(store: Store, name: str | None = None) -> Remote:
    """The named remote, or the default one: the one marked ``default``, else the only one."""
    remotes = list_remotes(store)
    if name is not None:
        for remote in remotes:
            if remote.name == name:
                return remote
        known = ", ".join(r.name for r in remotes) or "none"
        raise RecordNotFound(
            f"no remote named {name!r} (known: {known})",
            "add one with `jupyter mlver remote add NAME URL`",
        )
    if not remotes:
        raise RecordNotFound(
            "no remote is configured", "add one with `jupyter mlver remote add NAME URL`"
        )
    defaults = [r for r in remotes if r.default]
    if defaults:
        return defaults[0]
    if len(remotes) == 1:
        return remotes[0]
    raise InvalidInput(
        f"there are {len(remotes)} remotes and none is the default",
        "name one, or mark one with `jupyter mlver remote add --default NAME URL`",
    )


# -- writing: section-level text edits keep the user's comments and layout -------------


def _header_path(line: str) -> tuple[str, ...] | None:
    stripped = line.strip()
    if not stripped.startswith("["):
        return None
    try:
        parsed = tomllib.loads(stripped + "\n")
    except tomllib.TOMLDecodeError:
        return None
    path: list[str] = []
    node: Any = parsed
    while isinstance(node, dict) and len(node) == 1:
        key = next(iter(node))
        path.append(key)
        node = node[key]
    return tuple(path)


def _edit_sections(text: str, drop: set[str], undefault: bool) -> str:
    """Drop the tables of remotes in ``drop``; with ``undefault`` remove ``default = …``
    lines from every remote table."""
    out: list[str] = []
    current: tuple[str, ...] = ()
    for line in text.splitlines(keepends=True):
        header = _header_path(line)
        if header is not None:
            current = header
        in_remote = len(current) >= 2 and current[0] == SECTION
        if in_remote and current[1] in drop:
            continue
        if undefault and in_remote and len(current) == 2 and re.match(r"^\s*default\s*=", line):
            continue
        out.append(line)
    return "".join(out)


def _write_config(store: Store, text: str, expected: dict[str, Any]) -> None:
    """Write ``text`` if it parses to ``expected``, else the whole of ``expected`` (the
    file used a layout the text edit cannot follow, e.g. inline tables): correct first."""
    try:
        if tomllib.loads(text) != expected:
            text = tomli_w.dumps(expected)
    except tomllib.TOMLDecodeError:
        text = tomli_w.dumps(expected)
    path = store.dir / "config.toml"
    tmp = store.dir / f"config.toml.{os.getpid()}.tmp"
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"cannot write {path}: {e.strerror}") from None


def _read_text(store: Store) -> str:
    try:
        return (store.dir / "config.toml").read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def add_remote(
    store: Store, name: str, url: str, options: dict[str, Any] | None = None, default: bool = False
) -> Remote:
    check_name(name)
    options = dict(options or {})
    check_options(options)
    url = normalize_url(url, base=store.root)
    config = store.config()
    tables = dict(config.get(SECTION) or {})
    if name in tables:
        raise InvalidInput(
            f"remote {name!r} already exists ({tables[name].get('url')})",
            f"remove it first with `jupyter mlver remote remove {name}`",
        )
    table: dict[str, Any] = {"url": url, **options}
    if default:
        table["default"] = True
        tables = {k: {kk: vv for kk, vv in v.items() if kk != "default"} for k, v in tables.items()}
    expected = {**config, SECTION: {**tables, name: table}}
    text = _edit_sections(_read_text(store), drop=set(), undefault=default)
    sep = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
    text += sep + tomli_w.dumps({SECTION: {name: table}})
    _write_config(store, text, expected)
    return Remote(name, url, options, default)


def remove_remote(store: Store, name: str) -> Remote:
    remote = get_remote(store, name)
    config = store.config()
    tables = {k: v for k, v in (config.get(SECTION) or {}).items() if k != name}
    expected = {k: v for k, v in config.items() if k != SECTION}
    if tables:
        expected[SECTION] = tables
    text = _edit_sections(_read_text(store), drop={name}, undefault=False)
    # An emptied ``[remotes]`` header may remain; it parses to {} which we do not expect.
    if not tables:
        text = re.sub(rf"(?m)^\[{SECTION}\]\s*\n", "", text)
    _write_config(store, text, expected)
    return remote


@dataclass
class RemoteList:
    remotes: list[Remote]
    default: str | None  # the remote push and pull use when none is named
