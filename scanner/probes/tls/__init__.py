"""Pure-Python TLS probe: protocol, cipher-suite, group and certificate observations."""

from scanner.model import TargetKind
from scanner.probes.base import ProbeSpec

SPEC = ProbeSpec(
    name="tls",
    target_kinds=frozenset({TargetKind.URL, TargetKind.DATABASE}),
    implementation="scanner.probes.tls.probe:TlsProbe",
    options="scanner.probes.tls.options:TlsOptions",
    facts="scanner.probes.tls.facts:TlsFacts",
    reproduce="scanner.probes.tls.reproduce:reproduce",
    example_target=(TargetKind.URL, "https://portal.contoh.go.id/"),
)
