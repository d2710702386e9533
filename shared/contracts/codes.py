"""Identifiers that events may carry besides ids: the accounts of staff, never free text.

An account id is what the identity provider names an account by (a token's subject): opaque, no spaces,
no `@`, so neither a name nor an e-mail address can travel in an event under its cover.
"""

from typing import Annotated

from pydantic import Field

ACCOUNT_ID = r"^[A-Za-z0-9][A-Za-z0-9._:|-]{0,99}$"

AccountId = Annotated[
    str, Field(pattern=ACCOUNT_ID, description="An account id (a token's subject), never a name")
]
