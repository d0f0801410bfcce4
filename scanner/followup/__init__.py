"""Follow-up (tindak lanjut): each finding's state across scans, service levels, and the audit log."""
