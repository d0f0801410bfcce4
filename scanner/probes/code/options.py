"""Target options the code probe reads (checked when a profile is read)."""

from __future__ import annotations

from scanner.probes.base import ProbeOptions


class CodeOptions(ProbeOptions):
    git_history: bool | str = False  # also read the commits' added lines (a string: since that commit)
