"""Scope allowlists: host names, wildcards and CIDR ranges."""

from scanner.scope import Scope


def test_patterns():
    scope = Scope(("127.0.0.1", "*.contoh.go.id", "10.0.0.0/8", "::1"))
    assert scope.allows("127.0.0.1") and scope.allows("PORTAL.contoh.go.id") and scope.allows("10.2.3.4")
    assert scope.allows("[::1]")
    assert not scope.allows("contoh.go.id.evil.com") and not scope.allows("11.0.0.1") and not scope.allows("127.0.0.2")
    assert not Scope().allows("127.0.0.1")
    assert Scope.allow_all().allows("anything")
