"""Priority score of a finding: severity x exposure x data sensitivity x confidence.

    priority = 100 * S[severity] * E[exposure] * D[sensitivity] * C[confidence]

The weights are deliberately simple so an auditor can recompute a score by hand.
Specific personal data (UU PDP Pasal 4 ayat 2: health, biometric, genetic, criminal,
children's and financial data) weighs most.
"""

from __future__ import annotations

from scanner.model import Severity

SEVERITY_WEIGHT = {
    Severity.CRITICAL: 1.0,
    Severity.HIGH: 0.75,
    Severity.MEDIUM: 0.5,
    Severity.LOW: 0.25,
    Severity.INFO: 0.05,
}
EXPOSURE_WEIGHT = {"internet": 1.0, "unknown": 0.85, "internal": 0.7}
SENSITIVITY_WEIGHT = {"specific": 1.0, "general": 0.8, "none": 0.6}
CONFIDENCE_WEIGHT = {"high": 1.0, "medium": 0.8, "low": 0.5}


def priority(severity: Severity, exposure: str, sensitivity: str, confidence: str) -> float:
    """Return the 0-100 priority score, rounded to one decimal."""
    score = (
        100
        * SEVERITY_WEIGHT[severity]
        * EXPOSURE_WEIGHT.get(exposure, EXPOSURE_WEIGHT["unknown"])
        * SENSITIVITY_WEIGHT.get(sensitivity, SENSITIVITY_WEIGHT["none"])
        * CONFIDENCE_WEIGHT.get(confidence, CONFIDENCE_WEIGHT["high"])
    )
    return round(score, 1)
