"""How consumers read events: a field a producer added that this code does not know yet is ignored.

Rolling deploys upgrade producers first (PRODUCT.md §5), so an event may carry an optional field its
consumers have never heard of; they use the event without it, never skip or dead-letter it. The models
themselves still forbid unknown fields, so a producer building an event with a misspelt field fails at once
instead of publishing it.
"""

from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationInfo
from pydantic.config import ExtraValues

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class _Reading:
    """Validation context of a consumer's read, for validators that validate a nested model themselves."""


_READING = _Reading()


def read(model: type[M], data: Any) -> M:
    return model.model_validate(data, extra="ignore", context=_READING)


def read_json(model: type[M], raw: bytes) -> M:
    return model.model_validate_json(raw, extra="ignore", context=_READING)


def extra_of(info: ValidationInfo) -> ExtraValues | None:
    """The rule for unknown fields of a nested model a validator validates: ignored while reading."""
    return "ignore" if isinstance(info.context, _Reading) else None
