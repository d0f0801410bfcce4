"""Regulation catalogues: shipped data is complete and ordered; malformed files are named precisely."""

from __future__ import annotations

import pytest

from scanner.regulations import CatalogueError, load_catalogue, load_regulations
from tests.support import CATALOGUE


def test_shipped_catalogues_are_complete_and_ordered_by_precedence():
    index = load_regulations()
    assert list(index.catalogues)[:4] == ["uu-pdp-2022", "pp-71-2019", "permenkominfo-20-2016", "bssn-4-2021"]
    assert set(index.catalogues) == {"uu-pdp-2022", "pp-71-2019", "permenkominfo-20-2016", "bssn-4-2021",
                                     "gdpr", "iso-27001-2022", "nist-sp-800-52r2", "owasp-asvs-4.0.3"}
    for article in index.articles():
        assert article.text["id"] and article.text["en"] and article.title["id"] and article.title["en"]
        assert article.source_url.startswith("https://"), article.ref
    assert index.resolve("uu-pdp-2022:35") is not None and index.resolve("uu-pdp-2022:999") is None
    assert index.resolve("permenkominfo-20-2016:15(2)").verified


@pytest.mark.parametrize("broken,message", [
    (CATALOGUE.replace('  - id: "2(1)"', '  - id: "1"'), "article 1: duplicate article id"),
    (CATALOGUE.replace('en: "Access must be restricted."', 'en: ""'), "article 2(1): text: needs non-empty"),
    ("id: x\n", "needs 'id' and a list of 'articles'"),
    ("articles: [\n", "invalid YAML"),
])
def test_malformed_catalogues(tmp_path, broken, message):
    path = tmp_path / "law.yaml"
    path.write_text(broken)
    with pytest.raises(CatalogueError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        load_catalogue(path)
    assert str(path) in str(info.value)
