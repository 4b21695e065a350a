"""Domain errors. Raised by logic with ``from exc``; turned into responses in one place (the API's
exception handlers, the batch processors)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldProblem:
    """One problem with one field of the caller's input."""

    field: str
    message: str
    code: str = "invalid"

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


@dataclass
class DomainError(Exception):
    """Base class: a message for people and a machine-readable code."""

    message: str
    details: list[FieldProblem] = field(default_factory=list)
    code: str = "error"

    def __str__(self) -> str:
        return self.message


class NotFound(DomainError):
    """The resource does not exist for this store (another store's ids are not found either)."""

    def __init__(self, message: str) -> None:
        super().__init__(message=message, code="not_found")


class InvalidInput(DomainError):
    """The caller's input breaks a rule; ``details`` says which field and why."""

    def __init__(self, message: str, details: list[FieldProblem] | None = None) -> None:
        super().__init__(message=message, details=details or [], code="validation_error")


class Conflict(DomainError):
    """The request clashes with the current state (a SKU owned by another product, a concurrent change)."""

    def __init__(self, message: str, details: list[FieldProblem] | None = None) -> None:
        super().__init__(message=message, details=details or [], code="conflict")
