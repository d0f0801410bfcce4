"""Network plumbing shared by every HTTP client: the URL gate and the session factory."""
