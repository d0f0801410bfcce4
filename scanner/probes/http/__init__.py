"""The http probe: web transport, headers, cookies, CORS, exposures, judol and personal data."""

from scanner.model import TargetKind
from scanner.probes.base import ProbeSpec
from scanner.probes.http.options import HttpOptions
from scanner.probes.http.templates import ExposureTemplate

SPEC = ProbeSpec(
    name="http",
    target_kinds=frozenset({TargetKind.URL}),
    implementation="scanner.probes.http.probe:HttpProbe",
    options=HttpOptions,
    checks=ExposureTemplate,
    reproduce="scanner.net.reproduce:http_request",
    example_target=(TargetKind.URL, "https://portal.contoh.go.id/"),
)
