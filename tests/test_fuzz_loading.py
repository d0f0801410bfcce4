"""Property-based fuzzing of rule-pack and profile loading: only our own errors, never a crash."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.judging.regulations import load_regulations
from scanner.judging.rules import RuleValidationError, load_rules
from scanner.profile import ProfileError, load_profile
from tests.support import CATALOGUE, RULE

_REGULATIONS_DIR = Path(tempfile.mkdtemp(prefix="pindai-fuzz-regs-"))
(_REGULATIONS_DIR / "test-law.yaml").write_text(CATALOGUE)
REGULATIONS = load_regulations(_REGULATIONS_DIR)
VALID = yaml.safe_load(RULE)

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=12)
FIELDS = list(VALID)


@st.composite
def mutated_rules(draw: st.DrawFn) -> dict[str, object]:
    """A valid rule with some fields replaced, removed or added."""
    rule = dict(VALID)
    for field in draw(st.lists(st.sampled_from(FIELDS), max_size=4)):
        action = draw(st.sampled_from(["replace", "delete"]))
        if action == "delete":
            rule.pop(field, None)
        else:
            rule[field] = draw(values)
    if draw(st.booleans()):
        rule["when"] = draw(st.text(alphabet="facts.p()[]{}!&|=<>\"' ,:+-*/0123456789abc", max_size=40))
    return rule


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rules=st.lists(mutated_rules(), min_size=1, max_size=3))
def test_mutated_rule_packs_never_crash(rules, tmp_path_factory):
    path = tmp_path_factory.mktemp("pack") / "pack.yaml"
    path.write_text(yaml.safe_dump({"pack": "fuzz", "rules": rules}, allow_unicode=True))
    try:
        load_rules(path, REGULATIONS)
    except RuleValidationError as exc:
        assert exc.errors and all(str(path) in str(e) for e in exc.errors)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_arbitrary_rule_files_never_crash(text, tmp_path_factory):
    path = tmp_path_factory.mktemp("pack") / "pack.yaml"
    path.write_text(text)
    try:
        load_rules(path, REGULATIONS)
    except RuleValidationError as exc:
        assert exc.errors


toml_keys = st.sampled_from(["name", "lang", "target", "agency", "exposure", "zone", "password_env", "allow",
                             "fail_on", "timeout", "per_host_concurrency", "cron", "options", "x"])
_SPECIAL = ["true", "[]", '["127.0.0.1"]', "{}", "1.5", '"http://["', '"https://127.0.0.1:99999/"',
            '"mysql://u@127.0.0.1:x/db"', '"https://127.0.0.1/"', '"0 2 * * 1"']
toml_values = st.one_of(st.text(max_size=20).map(lambda s: '"' + s.replace("\\", "").replace('"', "") + '"'),
                        st.integers(-5, 100).map(str), st.sampled_from(_SPECIAL))


@st.composite
def profiles(draw: st.DrawFn) -> str:
    lines: list[str] = []
    for header in draw(st.lists(st.sampled_from(["", "[scope]", "[politeness]", "[thresholds]", "[schedule]",
                                                 "[notify]", "[[targets]]", "[targets.options]"]), max_size=5)):
        lines.append(header)
        lines.extend(f"{draw(toml_keys)} = {draw(toml_values)}" for _ in range(draw(st.integers(0, 4))))
    return "\n".join(lines) + "\n"


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(profiles(), st.text(max_size=200)))
def test_arbitrary_profiles_never_crash(text, tmp_path_factory):
    path = tmp_path_factory.mktemp("profile") / "p.toml"
    path.write_text(text)
    try:
        load_profile(path)
    except ProfileError as exc:
        assert str(path) in str(exc)
