"""What must never reach the store: secret env vars, credentials in URLs, secret files."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import TypeVar, cast
from urllib.parse import urlsplit, urlunsplit

T = TypeVar("T")

SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL|AUTH", re.IGNORECASE)
SECRET_FILE = re.compile(
    r"(^\.env(\..*)?$)|(\.pem$)|(\.key$)|(^id_(rsa|dsa|ecdsa|ed25519)$)|(^\.netrc$)"
    r"|(^\.pypirc$)|(credentials)|(secret)",
    re.IGNORECASE,
)
REDACTED = "[REDACTED]"
#: Values shorter than this are too common to redact by value ("1", "true").
_MIN_SECRET_LEN = 6


def is_secret_name(name: str) -> bool:
    return SECRET_NAME.search(name) is not None


def is_secret_file(path: str) -> bool:
    return SECRET_FILE.search(os.path.basename(path)) is not None


def strip_url_credentials(url: str) -> str:
    """``https://user:token@host/x`` -> ``https://host/x``; scp-style ``git@host:x`` is kept."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    if parts.scheme == "ssh":
        # ssh://git@host/x names a login, not a secret; a password after ':' is.
        user = parts.netloc.rsplit("@", 1)[0].split(":", 1)[0]
        host = f"{user}@{host}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


class Redactor:
    """Replaces the values of secret environment variables wherever they appear in text."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        environ = os.environ if environ is None else environ
        values = {v for k, v in environ.items() if is_secret_name(k) and len(v) >= _MIN_SECRET_LEN}
        # Longest first so a secret containing another is replaced whole.
        self.secrets = sorted(values, key=len, reverse=True)
        self._encoded = [s.encode() for s in self.secrets]

    def text(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def data(self, data: bytes) -> bytes:
        for secret in self._encoded:
            if secret in data:
                data = data.replace(secret, REDACTED.encode())
        return data

    def contains(self, data: bytes) -> bool:
        return any(secret in data for secret in self._encoded)

    def value(self, obj: T) -> T:
        """A copy of a JSON-like value with every string redacted (of the same shape)."""
        if not self.secrets:
            return obj
        return cast(T, self._redacted(obj))

    def _redacted(self, obj: object) -> object:
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, dict):
            return {self.text(k): self._redacted(v) for k, v in obj.items()}
        if isinstance(obj, list):
            return [self._redacted(v) for v in obj]
        return obj
