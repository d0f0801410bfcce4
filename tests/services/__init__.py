"""Local servers for the notify, daemon and distributed tests (127.0.0.1 only)."""
