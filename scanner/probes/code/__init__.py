"""The code probe: bandit, secrets and configuration checks over a source directory."""
