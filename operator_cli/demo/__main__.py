"""`python -m operator_cli.demo`: the demo without the `jakpreneur` wrapper (what `make demo` runs)."""

from operator_cli.demo.command import app

app(prog_name="demo")
