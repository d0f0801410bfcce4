"""Dashboard users, roles, password checks with lock-out, and server-side sessions.

Passwords are argon2id hashes (argon2-cffi). Five wrong passwords in a row lock the account for
``LOCK_MINUTES``. A session is a random token in a cookie; the store keeps only its SHA-256, the
user, the session's CSRF token and its expiry, so logout and expiry end it everywhere at once.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Column, Integer, MetaData, String, Table, Text, delete, insert, select, update

from scanner.history.store import Store

ROLES = ("admin", "officer", "agency", "auditor")
MAX_FAILURES = 5
LOCK_MINUTES = 15
SESSION_HOURS = 8

metadata = MetaData()
users = Table(
    "pindai_users", metadata,
    Column("username", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    *(Column(name, Text, nullable=False, default="") for name in ("agency", "password_hash", "locked_until",
                                                                  "created_at")),
    Column("failed", Integer, nullable=False, default=0),
)
sessions = Table(
    "pindai_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    *(Column(name, Text, nullable=False, default="") for name in ("username", "csrf", "created_at", "expires_at")),
)
_hasher = PasswordHasher()
_DUMMY = _hasher.hash(secrets.token_hex(16))


class AccountError(Exception):
    """A user cannot be created (bad name, role, agency or password); the message says why."""


class LoginError(Exception):
    """Wrong user name or password, or a locked account; ``locked`` tells which."""

    def __init__(self, locked: bool) -> None:
        super().__init__("locked" if locked else "invalid")
        self.locked = locked


@dataclass(frozen=True)
class User:
    username: str
    role: str
    agency: str

    @property
    def scope(self) -> str | None:
        """The only agency this user may see, or None for all."""
        return self.agency if self.role == "agency" else None

    @property
    def can_act(self) -> bool:
        return self.role in ("admin", "officer", "agency")


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


class Accounts:
    """Users and sessions in one history store."""

    def __init__(self, store: Store, now: Callable[[], datetime] = _now, session_hours: float = SESSION_HOURS):
        self.engine = store.engine
        self.now = now
        self.session_hours = session_hours

    def add(self, username: str, role: str, password: str, agency: str = "") -> User:
        if not username or len(username) > 64 or not username.replace("-", "").replace("_", "").replace(".", "") \
                .isalnum():
            raise AccountError("user name: 1-64 letters, digits, '.', '-' or '_' / nama pengguna tidak sah")
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)} / peran tidak dikenal")
        if (role == "agency") != bool(agency):
            raise AccountError("an agency user needs --agency, other roles none / pengguna instansi wajib --agency")
        if len(password) < 12:
            raise AccountError("password: at least 12 characters / kata sandi minimal 12 karakter")
        with self.engine.begin() as conn:
            if conn.execute(select(users.c.username).where(users.c.username == username)).first():
                raise AccountError(f"user {username!r} exists / pengguna sudah ada")
            conn.execute(insert(users).values(username=username, role=role, agency=agency, failed=0,
                                              password_hash=_hasher.hash(password), locked_until="",
                                              created_at=self.now().isoformat(timespec="seconds")))
        return User(username, role, agency)

    def list(self) -> list[tuple[User, str]]:
        """Every user with its lock time ("" when not locked)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(users).order_by(users.c.username)).mappings().all()
        return [(User(r["username"], r["role"], r["agency"]), r["locked_until"]) for r in rows]

    def login(self, username: str, password: str) -> tuple[str, Session]:
        """Check the password and open a session: ``(cookie token, session)``; :class:`LoginError` otherwise."""
        now = self.now()
        failure: LoginError | None = None
        with self.engine.begin() as conn:  # a failure is counted (committed) before it is raised
            row = conn.execute(select(users).where(users.c.username == username)).mappings().first()
            if row is None:
                _verify(_DUMMY, password)  # same work as for a real user: no timing hint
                failure = LoginError(locked=False)
            elif row["locked_until"] and datetime.fromisoformat(row["locked_until"]) > now:
                failure = LoginError(locked=True)
            elif not _verify(row["password_hash"], password):
                failed = int(row["failed"]) + 1
                locked = failed >= MAX_FAILURES
                conn.execute(update(users).where(users.c.username == username).values(
                    failed=0 if locked else failed,
                    locked_until=(now + timedelta(minutes=LOCK_MINUTES)).isoformat() if locked else ""))
                failure = LoginError(locked=locked)
            else:
                conn.execute(update(users).where(users.c.username == username).values(failed=0, locked_until=""))
                token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
                conn.execute(delete(sessions).where(sessions.c.expires_at < now.isoformat()))
                conn.execute(insert(sessions).values(
                    token_hash=_digest(token), username=username, csrf=csrf, created_at=now.isoformat(),
                    expires_at=(now + timedelta(hours=self.session_hours)).isoformat()))
        if failure is not None or row is None:
            raise failure or LoginError(locked=False)
        return token, Session(User(row["username"], row["role"], row["agency"]), csrf)

    def session(self, token: str) -> Session | None:
        """The live session of a cookie token, or None (unknown, expired, or user gone)."""
        if not token:
            return None
        query = (select(sessions.c.csrf, sessions.c.expires_at, users.c.username, users.c.role, users.c.agency)
                 .join(users, users.c.username == sessions.c.username)
                 .where(sessions.c.token_hash == _digest(token)))
        with self.engine.connect() as conn:
            row = conn.execute(query).mappings().first()
        if row is None or datetime.fromisoformat(row["expires_at"]) <= self.now():
            return None
        return Session(User(row["username"], row["role"], row["agency"]), row["csrf"])

    def logout(self, token: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.token_hash == _digest(token)))


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False
