"""`switch serve`: run the hub over HTTP."""

from __future__ import annotations

import typer


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    log_level: str = typer.Option("info", help="uvicorn log level."),
) -> None:
    """Run the hub: the HTTP API, OpenAPI docs at /docs, metrics at /metrics.

    Settings come from SWITCH_DATABASE_URL, SWITCH_POLICIES, SWITCH_DIRECTORY
    and SWITCH_STATES.
    """
    import uvicorn  # loaded here so light verbs (keys, agencies) start fast

    from switch.api.app import create_app

    # Live event streams never end by themselves; do not wait on them at exit.
    uvicorn.run(
        create_app(), host=host, port=port, log_level=log_level, timeout_graceful_shutdown=3
    )
