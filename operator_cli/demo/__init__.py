"""`jakpreneur demo`: a realistic, seeded programme history sent through the public APIs.

See docs/demo-data.md.
"""

from operator_cli.demo.command import demo_command

__all__ = ["demo_command"]
