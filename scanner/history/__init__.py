"""The history store: scans, facts and findings in SQLite or PostgreSQL, its versioned schema, and
comparisons between scans.
"""
