"""Where a finding points in GitLab's reports: a repository-relative file and line.

Code and SQL-file findings point at their file and line; other targets at the same pseudo-path
the SARIF output uses (``pindai-targets/<scheme>/<host>/<path>``), line 1.
"""

from __future__ import annotations

from urllib.parse import unquote

from scanner.model import Finding, Target
from scanner.report.sarif import location


def file_and_line(finding: Finding, target: Target | None) -> tuple[str, int]:
    physical = location(finding.target_id, target, finding.evidence)["physicalLocation"]
    uri = unquote(str(physical["artifactLocation"]["uri"])).removeprefix("file://")
    return uri, int(physical.get("region", {}).get("startLine", 1))
