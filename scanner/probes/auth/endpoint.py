"""An endpoint under test, from the profile, an API description or the site itself."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Endpoint:
    method: str
    url: str
    marker: str = ""
    source: str = "profile"
    declared_public: bool = False  # the description says ``security: []``
    declared_security: bool = False  # the description requires a security scheme
