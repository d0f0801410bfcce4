"""Constants shared by the foundation tests: a tiny catalogue and a valid rule."""

CATALOGUE = """\
id: test-law
short: Test Law
title: {id: "Undang-undang uji", en: "Test law"}
source_url: https://example.invalid/law
articles:
  - id: "1"
    title: {id: "Pasal satu", en: "Article one"}
    text: {id: "Data harus dilindungi.", en: "Data must be protected."}
    verified: true
  - id: "2(1)"
    title: {id: "Pasal dua", en: "Article two"}
    text: {id: "Akses harus dibatasi.", en: "Access must be restricted."}
    verified: false
"""

RULE = """\
id: PND-TEST-001
probe: tls
severity: high
title: {id: "Protokol usang diterima", en: "Obsolete protocol accepted"}
description: {id: "Protokol lama dapat disadap.", en: "Old protocols can be intercepted."}
when: facts.protocols.filter(p, p.accepted && p.name in ["SSLv3", "TLSv1.0"])
item_key: item.name
message: {id: "Protokol {{ item.name }} diterima", en: "Protocol {{ item.name }} is accepted"}
remediation:
  id: ["Matikan protokol lama."]
  en: ["Disable the old protocol."]
references: ["test-law:1"]
"""
