"""Judging facts: rule packs and their CEL, regulation and control catalogues, findings, scores,
suppressions and the compliance view.
"""
