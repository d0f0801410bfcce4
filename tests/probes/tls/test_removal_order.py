"""Removal-method order: one ordered chain recovers the server's preference across any list size."""

from __future__ import annotations

from scanner.probes.tls.enumerate import ACCEPTED, BUNDLE, REJECTED, Enumerator, Outcome


def _server_prefers_highest(offered: list[int]) -> Outcome:
    return Outcome(ACCEPTED, "", max(offered)) if offered else Outcome(REJECTED, "no suites")


def test_ordered_removal_keeps_the_server_order_beyond_one_bundle() -> None:
    enum = Enumerator(conn=None, sni=None)  # type: ignore[arg-type]  # removal() never connects itself
    candidates = list(range(BUNDLE * 2 + 10))
    order, complete, _ = enum.removal(candidates, _server_prefers_highest, ordered=True)
    assert complete and order == sorted(candidates, reverse=True)
    found, complete, _ = enum.removal(candidates, _server_prefers_highest)  # parallel bundles: same set
    assert complete and sorted(found) == candidates and found != order
