"""Pure-Python TLS probe: protocol, cipher-suite, group and certificate observations."""

from scanner.probes.tls.probe import TlsProbe

__all__ = ["TlsProbe"]
