"""Units of the auth probe: options, token forging and cracking, OpenAPI discovery, forms."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import tomllib
from pathlib import Path

import jwt
import pytest

from fixtures.api import WEAK_SECRET, mint_token
from fixtures.synthetic import CANARY_NIK
from scanner.probes.auth import analysis, loginform, openapi, tokens
from scanner.probes.auth.options import parse_options
from scanner.probes.base import ProbeInconclusive
from scanner.resources import rules_dir

DOC = Path(__file__).resolve().parents[3] / "docs" / "facts" / "auth.md"
WORDS = tokens.load_wordlist(rules_dir() / "auth" / "jwt-secrets.txt")


@pytest.mark.parametrize(("raw", "field"), [
    ({"endpoints": [{"method": "FETCH", "url": "/x"}]}, "options.auth.endpoints[0].method"),
    ({"endpoints": [{"url": ""}]}, "options.auth.endpoints[0].url"),
    ({"login_rate_limit_attempts": 21, "login": {"url": "/l", "user": "u", "password_env": "P"}},
     "options.auth.login_rate_limit_attempts"),
    ({"bearer_env": "bad-name"}, "options.auth.bearer_env"),
    ({"bearer_env": "A", "cookie_env": "B"}, "choose one credential recipe"),
    ({"basic_user": "u"}, "basic_password_env"),
    ({"login": {"url": "/l", "user": "u"}}, "options.auth.login.password_env"),
    ({"endpoint": []}, "options.auth.endpoint"),
    ({"login_rate_limit_attempts": 3}, "needs a [login] form"),
    ({"endpoints": [{"url": "/a"}, {"method": "DELETE", "url": "/b"}]}, "endpoints[1].method: DELETE may change"),
])
def test_invalid_options_name_the_field(raw: dict[str, object], field: str) -> None:
    with pytest.raises(ProbeInconclusive, match=re.escape(field)):
        parse_options(raw)


def test_unsafe_methods_need_opt_in() -> None:
    options = parse_options({"endpoints": [{"method": "POST", "url": "/a"}], "unsafe_methods": True})
    assert options.endpoints[0].method == "POST"


def test_documented_examples_are_valid() -> None:
    blocks = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) == 2
    for block in blocks:
        for entry in tomllib.loads(block)["targets"]:
            parse_options(entry["options"]["auth"])


def test_tampered_and_unsigned_variants() -> None:
    token = tokens.decode(mint_token("rs"))
    assert token is not None and token.alg == "RS256"
    broken = tokens.decode(tokens.tampered(token))
    assert broken is not None and broken.claims == token.claims
    assert all(a ^ b == 0xFF for a, b in zip(broken.signature, token.signature, strict=True))
    for alg in tokens.NONE_CASINGS:
        raw = tokens.unsigned(token, alg)
        assert raw.endswith(".") and jwt.get_unverified_header(raw)["alg"] == alg


def test_crack_finds_weak_secret_only() -> None:
    weak = tokens.decode(mint_token("hs-weak"))
    strong = tokens.decode(mint_token("hs-strong"))
    assert weak is not None and strong is not None
    assert tokens.crack(weak, WORDS) == WEAK_SECRET
    assert tokens.crack(strong, WORDS) is None


def test_blank_secret_is_tried() -> None:
    blank = tokens.decode(tokens.hmac_signed({"typ": "JWT"}, {"sub": "x"}, b""))
    assert blank is not None and tokens.crack(blank, []) == ""
    facts, secret = analysis.analyse(blank, "profile:bearer", WORDS)
    assert secret == "" and facts["secret_search"]["secret_length"] == 0


def test_unsigned_token_has_no_signature() -> None:
    token = tokens.decode(mint_token("rs"))
    assert token is not None
    unsigned = tokens.decode(tokens.unsigned(token, "none"))
    assert unsigned is not None
    assert analysis.analyse(unsigned, "login:/x", WORDS)[0]["signature_length"] == 0


def test_wordlist_has_common_defaults() -> None:
    assert len(WORDS) >= 300
    assert {"secret", "changeme", "your-256-bit-secret", "SomeRandomString", WEAK_SECRET} <= set(WORDS)


def test_hmac_signed_tokens_verify_with_pyjwt() -> None:
    raw = tokens.hmac_signed({"typ": "JWT"}, tokens.expired_claims({"sub": "x"}), b"k" * 48, "HS384")
    claims = jwt.decode(raw, b"k" * 48, algorithms=["HS384"], options={"verify_exp": False})
    assert claims["exp"] < claims["iat"] + 7200


def test_analysis_records_masked_facts_only() -> None:
    token = tokens.decode(mint_token("hs-weak", lifetime=None, nik=CANARY_NIK))
    assert token is not None
    facts, secret = analysis.analyse(token, "profile:bearer", WORDS)
    assert secret == WEAK_SECRET
    assert facts["has_exp"] is False and facts["lifetime_known"] is False
    assert facts["claims_personal_data"]["kinds"] == ["nik"]
    text = repr(facts)
    assert CANARY_NIK not in text and WEAK_SECRET not in text and token.raw not in text


def test_analysis_lifetime_and_key_headers() -> None:
    token = tokens.decode(mint_token("rs", lifetime=90 * 86400))
    assert token is not None
    facts, secret = analysis.analyse(token, "profile:bearer", WORDS)
    assert secret is None and facts["secret_search"]["status"] == "skipped"
    assert facts["lifetime_s"] == 90 * 86400 and facts["kid_present"] and not facts["jku_present"]


def test_openapi_discovery_rules() -> None:
    doc = """{"swagger": "2.0", "basePath": "/v1", "paths": {
      "/a": {"get": {}}, "/b/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "x-example": 1}]}},
      "/e/{id}": {"get": {"parameters": [{"name": "id", "in": "path", "type": "string"}]}},
      "/c/{id}": {"parameters": [{"name": "id", "in": "path", "schema": {"example": 7}}], "get": {"security": []}},
      "/d": {"post": {}}}}"""
    found = openapi.discover(doc)
    assert [(e.path, e.declared_public) for e in found.endpoints] == [("/v1/a", False), ("/v1/b/1", False),
                                                                        ("/v1/c/7", True)]
    assert found.skipped == [{"path": "/e/{id}", "reason": "path parameter without an example value"}]
    with pytest.raises(ValueError):
        openapi.discover("[]")


def test_openapi_discovery_counts_operations_past_its_limit() -> None:
    paths = {f"/p{n}": {"get": {}} for n in range(openapi.DISCOVERY_LIMIT + 7)}
    found = openapi.discover(json.dumps({"openapi": "3.0.0", "paths": paths}))
    assert len(found.endpoints) == openapi.DISCOVERY_LIMIT and found.usable == openapi.DISCOVERY_LIMIT + 7


def test_login_form_hints() -> None:
    page = ('<form action="https://sso.contoh.go.id/auth" method="post"><input name="u">'
            '<input type="password" name="p"><div class="cf-turnstile"></div></form>')
    form = loginform.login_form(page)
    assert form is not None and form.method == "POST" and form.action.startswith("https://")
    assert loginform.CAPTCHA_HINTS.search(page)
    assert loginform.MFA_HINTS.search("Masukkan kode OTP Anda")
    assert not loginform.MFA_HINTS.search("Masukkan kata sandi")
    assert not loginform.THROTTLE_HINTS.search("Kata sandi salah, silakan coba lagi.")
    assert loginform.THROTTLE_HINTS.search("Terlalu banyak percobaan")


def _raw_token(claims: str, secret: bytes = b"secret") -> str:
    head = tokens.b64url(b'{"alg":"HS256","typ":"JWT"}')
    body = tokens.b64url(claims.encode())
    signature = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{tokens.b64url(signature)}"


@pytest.mark.parametrize("exp", ["1e400", "-1e400", "NaN", "Infinity", '"tomorrow"', "1" + "0" * 400, "[1]",
                                 "{}", "true", "null", "1.5"])
def test_hostile_exp_claim_is_an_observation_not_an_internal_error(exp: str) -> None:
    token = tokens.decode(_raw_token(f'{{"sub":"1","exp":{exp},"iat":1}}'))
    assert token is not None
    facts, _ = analysis.analyse(token, "cookie:session", WORDS)
    assert facts["status"] == "ok" and "exp" in facts["claim_names"]
    json.dumps(facts, allow_nan=False)  # facts stay plain JSON
    if exp in ("1e400", "-1e400", "NaN", "Infinity", '"tomorrow"', "[1]", "{}", "true", "null"):
        assert facts["has_exp"] is False and facts["unusable_claims"] == ["exp"]  # never expires: PND-AUTH rule
    else:
        assert facts["has_exp"] is True and facts["unusable_claims"] == []
