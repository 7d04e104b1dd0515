"""`python -m simulators.mockstate WA --port 9001`: the same command as
`switch sim state`."""

import typer

from simulators.mockstate.cli import state

if __name__ == "__main__":
    typer.run(state)
