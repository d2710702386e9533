"""Reading a service's answer in a command: the readable message of a refusal."""

import httpx


def detail_of(response: httpx.Response) -> str:
    """The refusal's `detail` (PRODUCT.md §4 errors), or the raw body when it is not one."""
    try:
        return str(response.json().get("detail", response.text))
    except ValueError:
        return response.text
