"""The database probe: server settings, accounts, grants and personal data in columns."""

from scanner.model import TargetKind
from scanner.probes.base import ProbeSpec

SPEC = ProbeSpec(
    name="database",
    target_kinds=frozenset({TargetKind.DATABASE}),
    implementation="scanner.probes.database.probe:DatabaseProbe",
    options="scanner.probes.database.options:DatabaseTargetOptions",
    facts="scanner.probes.database.facts:DatabaseFacts",
    reproduce="scanner.probes.database.reproduce:reproduce",
    uses_previous=True,
    example_target=(TargetKind.DATABASE, "postgresql://pindai@db.contoh.go.id/simpeg"),
)
