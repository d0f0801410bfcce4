"""Scope allowlists: host names, wildcards and CIDR ranges."""

from scanner.net.urls import gate
from scanner.running.scope import Scope


def test_patterns():
    scope = Scope(("127.0.0.1", "*.contoh.go.id", "10.0.0.0/8", "::1"))
    assert scope.allows("127.0.0.1") and scope.allows("PORTAL.contoh.go.id") and scope.allows("10.2.3.4")
    assert scope.allows("[::1]")
    assert not scope.allows("contoh.go.id.evil.com") and not scope.allows("11.0.0.1") and not scope.allows("127.0.0.2")
    assert not Scope().allows("127.0.0.1")
    assert Scope.allow_all().allows("anything")


def test_unicode_names_match_the_idna_host_the_client_connects_to() -> None:
    scope = Scope(("bücher.example", "*.kota-contöh.go.id"))
    assert gate("http://Bücher.example/", scope).host == "xn--bcher-kva.example"
    assert scope.allows("a.xn--kota-conth-mcb.go.id") and scope.allows("a.kota-contöh.go.id")
    assert not scope.allows("xn--bcher-kva.example.evil")


def test_narrowed_scope_needs_both_allowlists() -> None:
    task = Scope(("*",))
    worker = Scope(("127.0.0.1",))
    assert task.narrowed(worker).allows("127.0.0.1")
    assert not task.narrowed(worker).allows("127.0.0.2")
    assert not Scope.allow_all().narrowed(Scope()).allows("127.0.0.1")
