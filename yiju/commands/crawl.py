"""Commands of this area are registered here (placeholder until the area lands)."""

import click


def register(cli: click.Group) -> None:
    pass
