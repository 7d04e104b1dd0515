"""The ceiling for any FastAPI hub on this machine: a POST that reads the body
and answers a small JSON object, served by uvicorn as `switch serve` is.

`python -m bench._bare --port P`
"""

from __future__ import annotations

import argparse

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

app = FastAPI()


@app.post("/v1/messages")
async def post_message(request: Request) -> JSONResponse:
    body = await request.body()
    return JSONResponse({"status": "routed", "bytes": len(body)})


@app.get("/healthz")
async def healthz() -> dict[str, object]:
    return {"status": "ok", "warm": True}


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m bench._bare")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
