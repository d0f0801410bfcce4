"""Pindai: security and data-protection compliance scanner for Indonesian e-government systems."""

__version__ = "0.1.0"
