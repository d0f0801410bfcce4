"""The http probe: web transport, headers, cookies, CORS, exposures, judol and personal data."""

from scanner.model import TargetKind
from scanner.probes.base import ProbeSpec

SPEC = ProbeSpec(
    name="http",
    target_kinds=frozenset({TargetKind.URL}),
    implementation="scanner.probes.http.probe:HttpProbe",
    options="scanner.probes.http.options:HttpOptions",
    facts="scanner.probes.http.facts:HttpFacts",
    checks="scanner.probes.http.templates:ExposureTemplate",
    reproduce="scanner.net.reproduce:http_request",
    example_target=(TargetKind.URL, "https://portal.contoh.go.id/"),
)
