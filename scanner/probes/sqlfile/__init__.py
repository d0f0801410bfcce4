"""SQL dump / migration analysis: the ``sqlfile`` probe (the analyser itself is ``scanner.sql.analyze``)."""

from scanner.model import TargetKind
from scanner.probes.base import ProbeSpec

SPEC = ProbeSpec(
    name="sqlfile",
    target_kinds=frozenset({TargetKind.SQLFILE}),
    implementation="scanner.probes.sqlfile.probe:SqlFileProbe",
    options="scanner.probes.sqlfile.options:SqlFileOptions",
    facts="scanner.probes.sqlfile.facts:SqlFileFacts",
    reproduce="scanner.probes.sqlfile.reproduce:reproduce",
    example_target=(TargetKind.SQLFILE, "dump.sql"),
)
