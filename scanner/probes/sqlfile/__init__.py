"""SQL dump / migration analysis: the ``sqlfile`` probe and the reusable ``analyze_sql``."""

from scanner.probes.sqlfile.analyze import analyze_sql

__all__ = ["analyze_sql"]
