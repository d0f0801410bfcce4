"""The exposure-template format: shipped templates (rules/http/exposures.yaml) and an agency pack's
own ``checks:`` are validated by the same model, so a hostile or broken template is refused
(``pindai rules validate``, file and line) before the http probe ever sends its request.

A template requests fixed paths on the target's own origin with GET or HEAD only; the probe sends
them through the URL gate, scope and politeness, compares each answer with its soft-404
baselines, and keeps what an extractor reads only in masked form.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_PATHS = 20
MAX_MATCHERS = 10
_ID = r"^[a-z0-9][a-z0-9-]{1,62}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _compiled(patterns: list[str]) -> list[str]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from exc
    return patterns


class _Matcher(_Strict):
    negative: bool = False


class StatusMatcher(_Matcher):
    type: Literal["status"]
    status: list[Annotated[int, Field(ge=100, le=599)]] = Field(min_length=1)


class WordMatcher(_Matcher):
    type: Literal["word"]
    words: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(min_length=1, max_length=50)
    condition: Literal["and", "or"] = "or"
    part: Literal["body", "header"] = "body"
    case_insensitive: bool = False


class RegexMatcher(_Matcher):
    type: Literal["regex"]
    regex: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(min_length=1, max_length=20)
    part: Literal["body", "header"] = "body"

    _valid = field_validator("regex")(_compiled)


class ContentTypeMatcher(_Matcher):
    type: Literal["content_type"]
    values: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(min_length=1)


class BinaryMatcher(_Matcher):
    type: Literal["binary"]
    hex: list[Annotated[str, Field(pattern=r"^([0-9a-fA-F]{2}){1,64}$")]] = Field(min_length=1)


Matcher = Annotated[StatusMatcher | WordMatcher | RegexMatcher | ContentTypeMatcher | BinaryMatcher,
                    Field(discriminator="type")]


class AccountsExtractor(_Strict):
    """Account names a hit reveals: counted, three kept masked (names of officials are personal data)."""

    from_: Literal["json", "final_path"] = Field(alias="from")
    field: str = ""
    regex: str = ""

    _valid = field_validator("regex")(lambda value: _compiled([value])[0] if value else value)


class ValueExtractor(_Strict):
    """One value read from the answer (the first group of ``regex``), kept only in masked form."""

    part: Literal["body", "header"] = "body"
    regex: str = Field(min_length=1, max_length=500)

    @field_validator("regex")
    @classmethod
    def _one_group(cls, value: str) -> str:
        _compiled([value])
        if re.compile(value).groups < 1:
            raise ValueError("the regex needs one (group): the value to keep")
        return value


class Extract(_Strict):
    accounts: AccountsExtractor | None = None
    value: ValueExtractor | None = None


class Name(_Strict):
    id: str = Field(min_length=1, max_length=200)
    en: str = Field(default="", max_length=200)


class ExposureTemplate(_Strict):
    """One exposure check: fixed paths on the target's origin, matchers that must all hold."""

    id: str = Field(pattern=_ID)
    category: str = Field(pattern=_ID)
    name: Name
    method: Literal["GET", "HEAD"] = "GET"
    paths: list[str] = Field(min_length=1, max_length=MAX_PATHS)
    matchers: list[Matcher] = Field(min_length=1, max_length=MAX_MATCHERS)
    extract: Extract | None = None

    @field_validator("paths")
    @classmethod
    def _same_origin_paths(cls, paths: list[str]) -> list[str]:
        for path in paths:
            if not path.startswith("/") or path.startswith("//"):
                raise ValueError(f"{path!r}: a path starts with one '/' (requests stay on the target's origin)")
            if len(path) > 300 or any(ord(c) < 33 or ord(c) == 127 or c == "\\" for c in path):
                raise ValueError(f"{path!r}: too long, or a space, control character or backslash")
            if ".." in path.split("?")[0].split("/") or "://" in path or "#" in path:
                raise ValueError(f"{path!r}: no '..' segment, scheme or fragment")
        return paths

