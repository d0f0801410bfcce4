"""Authentication probe: differential access-control tests, JWT analysis, login-form checks."""

from scanner.model import TargetKind
from scanner.probes.base import ProbeSpec

SPEC = ProbeSpec(
    name="auth",
    target_kinds=frozenset({TargetKind.URL}),
    implementation="scanner.probes.auth.probe:AuthProbe",
    options="scanner.probes.auth.options:AuthTargetOptions",
    facts="scanner.probes.auth.facts:AuthFacts",
    reproduce="scanner.probes.auth.reproduce:reproduce",
    checks="scanner.probes.auth.routes:RouteCheck",
    example_target=(TargetKind.URL, "https://api.contoh.go.id/"),
)
