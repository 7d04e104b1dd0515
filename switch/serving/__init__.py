"""The HTTP server process: uvicorn, guarded connections, the access log."""
