"""The http probe: web transport, headers, cookies, CORS, exposures, judol and personal data."""
