"""One failing sub-check of the auth probe is recorded as inconclusive in its own place; the others stay."""

from __future__ import annotations

from typing import Any

import pytest

from scanner.probes.auth import analysis, loginform, neighbours
from scanner.probes.auth.probe import AuthProbe

from .conftest import Api, context, target, targets


def _observe(api: Api, name: str) -> dict[str, Any]:
    return AuthProbe().run(targets(api)[name], context())


def _broken(*args: object, **kwargs: object) -> Any:
    raise RuntimeError("sub-check broke")


def _without(facts: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in facts.items() if k not in keys}


def test_a_failing_neighbour_check_leaves_each_endpoints_other_facts(monkeypatch: pytest.MonkeyPatch,
                                                                     api: Api) -> None:
    idor = target(api.base + "/", {"bearer_env": "PINDAI_TEST_RS_TOKEN", "endpoints": [
        {"url": "/api/v1/penduduk/2"}, {"url": "/api/public/statistik"}]})
    whole = AuthProbe().run(idor, context())
    monkeypatch.setattr(neighbours, "observe", _broken)  # comparing a neighbour's reply fails
    facts = AuthProbe().run(idor, context())
    assert [_without(e, "neighbours") for e in facts["endpoints"]] == \
        [_without(e, "neighbours") for e in whole["endpoints"]]
    assert [e["neighbours"]["status"] for e in whole["endpoints"]] == ["ok", "skipped"]
    assert [e["neighbours"] for e in facts["endpoints"]] == [
        {"status": "inconclusive", "reason": "RuntimeError: sub-check broke"}, whole["endpoints"][1]["neighbours"]]
    assert _without(facts, "endpoints", "requests_sent") == _without(whole, "endpoints", "requests_sent")


def test_a_token_that_cannot_be_analysed_keeps_its_key_and_the_others(monkeypatch: pytest.MonkeyPatch,
                                                                      api: Api) -> None:
    whole = _observe(api, "rs")
    real = analysis.analyse
    monkeypatch.setattr(analysis, "analyse", lambda token, source, words: real(token, source, words)
                        if source != whole["tokens"][0]["source"] else _broken())
    facts = _observe(api, "rs")
    first, *others = facts["tokens"]
    assert first == {"key": whole["tokens"][0]["key"], "source": whole["tokens"][0]["source"],
                     "status": "inconclusive", "reason": "RuntimeError: sub-check broke"}
    assert others == whole["tokens"][1:]
    assert _without(facts, "tokens") == _without(whole, "tokens")


def test_a_failing_rate_limit_check_leaves_the_login_facts(monkeypatch: pytest.MonkeyPatch, api: Api) -> None:
    whole = _observe(api, "login")
    monkeypatch.setattr(loginform, "failed_logins", _broken)
    facts = _observe(api, "login")
    assert whole["login"]["rate_limit"]["status"] == "ok"
    assert facts["login"]["rate_limit"] == {"status": "inconclusive", "reason": "RuntimeError: sub-check broke"}
    assert _without(facts["login"], "rate_limit") == _without(whole["login"], "rate_limit")
    assert facts["credentials"] == whole["credentials"] and facts["credentials"]["status"] == "ok"
    assert _without(facts, "login", "requests_sent", "tokens") == _without(whole, "login", "requests_sent", "tokens")
    # each login hands out a new session token: the same tokens, by source, under new keys
    assert [_without(t, "key") for t in facts["tokens"]] == [_without(t, "key") for t in whole["tokens"]]
