"""The root of the errors a user can fix (a bad profile, rule pack, catalogue, suppression file,
target or history store): each carries its exit code, and the command group maps them once."""

from __future__ import annotations


class PindaiError(Exception):
    """A problem the message explains and the user can fix; ``exit_code`` is the public exit code."""

    exit_code = 2  # usage or configuration error (README, "Exit codes")


class Problem:
    """Something left undone, and where: one line ``<where>: <reason>``, as compilers print ``file:line: message``
    (an inventory row ``file:row: reason``, a rule on an example observation). Subclasses (frozen dataclasses)
    hold the fields and say ``where``; every such line is formatted here, once."""

    reason: str

    @property
    def where(self) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"
