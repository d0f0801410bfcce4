"""Authentication probe: differential access-control tests, JWT analysis, login-form checks."""
