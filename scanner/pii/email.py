"""E-mail addresses (a pragmatic subset of RFC 5322; ``*`` is not accepted in the local part,
so masked addresses such as ``b***@example.go.id`` are never re-detected)."""

from __future__ import annotations

import re

_LOCAL = r"[A-Za-z0-9](?:[A-Za-z0-9._%+\-]*[A-Za-z0-9_%+\-])?"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
PATTERN = re.compile(rf"(?a)(?<![A-Za-z0-9._%+\-*]){_LOCAL}@{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,24}}(?![A-Za-z0-9\-])")
ROLE_LOCAL_PARTS = frozenset(
    {
        "admin",
        "info",
        "humas",
        "noreply",
        "no-reply",
        "webmaster",
        "support",
        "helpdesk",
        "kontak",
        "contact",
        "redaksi",
        "pengaduan",
        "postmaster",
        "sekretariat",
        "ppid",
        "cs",
    }
)


def is_valid_email(value: object) -> bool:
    return isinstance(value, str) and PATTERN.fullmatch(value.strip()) is not None


def is_role_address(value: str) -> bool:
    """Organisational mailbox (``humas@…``) rather than a person's address."""
    return value.split("@", 1)[0].lower() in ROLE_LOCAL_PARTS
