"""The code probe: bandit, secrets and configuration checks over a source directory."""

from scanner.model import TargetKind
from scanner.probes.base import ProbeSpec

SPEC = ProbeSpec(
    name="code",
    target_kinds=frozenset({TargetKind.SOURCE}),
    implementation="scanner.probes.code.probe:CodeProbe",
    options="scanner.probes.code.options:CodeOptions",
    facts="scanner.probes.code.facts:CodeFacts",
    reproduce="scanner.probes.code.reproduce:reproduce",
    example_target=(TargetKind.SOURCE, "src"),
)
