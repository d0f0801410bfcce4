"""``pindai serve``: the fleet dashboard over the history store (Starlette app, uvicorn server)."""
