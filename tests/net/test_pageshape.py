"""Soft-404 page shapes: same status and content type, and the same body or about the same length."""

from __future__ import annotations

from scanner.net.pageshape import Shape, shape_of


def test_shape_resemblance() -> None:
    base = Shape(200, "text/html", 1000, "aaa")
    assert base.resembles(Shape(200, "text/html", 1050, "bbb"))
    assert not base.resembles(Shape(200, "text/plain", 1000, "bbb"))
    assert not base.resembles(Shape(404, "text/html", 1000, "aaa"))


def test_echoed_paths_and_numbers_do_not_change_the_shape() -> None:
    first = shape_of(200, "text/html", b"<p>/pindai-1a2b not found (id 12345)</p>", {"/pindai-1a2b"})
    second = shape_of(200, "text/html", b"<p>/pindai-9f8e not found (id 67)</p>", {"/pindai-9f8e"})
    assert first == second and first.resembles(second)
    assert not first.resembles(shape_of(200, "text/html", b"<h1>Welcome</h1>" * 40, {"/admin"}))
