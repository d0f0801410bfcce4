"""Workpaper metadata every audit-facing report prints: who, under which authorisation, from where,
how, when (local time), what was not tested, how severity and priority are scored, and the
result's SHA-256."""

from __future__ import annotations

from typing import Any

from scanner.audit import audit_of, result_digest, timezone_of
from scanner.judging.scoring import CONFIDENCE_WEIGHT, EXPOSURE_WEIGHT, SENSITIVITY_WEIGHT, SEVERITY_WEIGHT
from scanner.model import ScanResult
from scanner.report.common import strings
from scanner.report.integrity import REPORT_MARK, RESULT_MARK, UNSEALED
from scanner.report.localtime import local_time


def _weights(table: dict[Any, float], lang: str) -> str:
    return ", ".join(f"{getattr(k, 'value', k)} {number(v, lang, 2)}" for k, v in table.items())


def number(value: float, lang: str, digits: int = 1) -> str:
    """``80,0`` in Indonesian, ``80.0`` in English."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "id" else text


def workpaper_meta(result: ScanResult, lang: str, not_tested: list[str] | None = None) -> dict[str, Any]:
    """Plain data for the metadata block; ``not_tested`` is the compact list of what was not tested."""
    s = strings(lang)
    record = audit_of(result)
    zone = timezone_of(result)
    method = record.get("method") if isinstance(record.get("method"), dict) else {}
    settings = []
    if method:
        settings.append(s["wp_probes"] + ": " + ", ".join(map(str, method.get("probes", []))))
        settings.append(s["wp_politeness"].format(
            c=method.get("per_host_concurrency", "?"), r=number(float(method.get("requests_per_second") or 0), lang),
            t=number(float(method.get("timeout_s") or 0), lang)))
        settings.append(s["wp_authenticated"] if method.get("authenticated") else s["wp_unauthenticated"])
    return {
        "started": local_time(result.started_at, zone, lang),
        "finished": local_time(result.finished_at, zone, lang) if result.finished_at else "",
        "timezone": zone,
        "operator": str(record.get("operator") or ""),
        "authorisation": str(record.get("authorisation") or ""),
        "unit": str(record.get("unit") or ""),
        "host": str(record.get("host") or ""),
        "method": "; ".join(settings),
        "not_tested": ", ".join(not_tested or []),
        "severity_scoring": s["wp_severity_scoring"],
        "priority_scoring": s["wp_priority_scoring"].format(
            sev=_weights(SEVERITY_WEIGHT, lang), exp=_weights(EXPOSURE_WEIGHT, lang),
            sens=_weights(SENSITIVITY_WEIGHT, lang), conf=_weights(CONFIDENCE_WEIGHT, lang)),
        "result_sha256": result_digest(result),
        "result_mark": RESULT_MARK,
        "report_mark": REPORT_MARK + UNSEALED,
    }
