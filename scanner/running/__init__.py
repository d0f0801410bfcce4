"""Running a scan: targets through probes, in threads, shard processes or Celery workers, politely
and within scope and time.
"""
