"""Shared helpers for the code-probe tests: run the probe and the real rules over a directory."""

from __future__ import annotations

from pathlib import Path

from scanner.judging.engine import Judgement, judge
from scanner.judging.rules import RuleSet
from scanner.model import Facts, Target, TargetKind
from scanner.probes.code.probe import observe_tree

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "fixtures" / "source"

# Every fake secret planted in fixtures/source/vulnerable (and the migration's canary NIK):
# none may ever appear unmasked in facts, findings or reports.
FIXTURE_SECRETS = [
    "pindai-fixture-flask-secret-key",
    "pindai-fixture-db-url-pass",
    "pindai-fixture-mail-password",
    "pindai-fixture-db-password",
    "cGluZGFpLWZpeHR1cmUtbGFyYXZlbC1hcHAta2V5ISE=",
    "pindai-fixture-jwt-secret",
    "pindai-fixture-php-pass",
    "pindai-fixture-wp-pass",
    "pindai-fixture-ci-pass",
    "pindai-fixture-fallback-pass",
    "UElOREFJIEZJWFRVUkUgLSBOT1QgQSBSRUFMIFBSSVZBVEUgS0VZIC0gRE8gTk9UIFVTRQ",
    "AKIA" + "PINDAIFIXTURE000",
    "AIza" + "PindaiFixtureNotARealGoogleKey00000",
    "xoxb-" + "000000000000-pindai-fixture-not-a-real-token",
    "ghp_" + "pindaiFixtureNotARealGithubToken0000",
    "3169994107909999",  # fixtures.synthetic.CANARY_NIK
]


def scan_tree(root: Path, ruleset: RuleSet, git_history: bool | str = False) -> tuple[Target, Facts, Judgement]:
    """Observe ``root`` with the code probe and judge it with the shipped rules."""
    target = Target(TargetKind.SOURCE, str(root))
    facts = Facts(probe="code", target_id=target.id, data=observe_tree(root, git_history=git_history))
    return target, facts, judge([facts], [target], ruleset)
