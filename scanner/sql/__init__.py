"""SQL text (dumps, migrations, seeds) read without running it: tables, personal-data columns,
credentials and grants (``analyze.analyze_sql``), for the sqlfile probe and the code probe's
``*.sql`` files alike."""
