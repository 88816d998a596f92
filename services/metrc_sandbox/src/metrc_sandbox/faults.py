"""The fault queue: rules that make the next N matching Metrc calls misbehave."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FaultKind = Literal["status", "lost_response", "slow", "rate_limit"]


class FaultRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: str
    path: str
    kind: FaultKind
    status: int = Field(default=503, ge=400, le=599)
    delay_ms: int = Field(default=0, ge=0)
    times: int = Field(default=1, ge=1)


class FaultQueue:
    def __init__(self) -> None:
        self.rules: list[FaultRule] = []

    def extend(self, rules: list[FaultRule]) -> None:
        self.rules.extend(rule.model_copy(update={"method": rule.method.upper()}) for rule in rules)

    def clear(self) -> None:
        self.rules.clear()

    def take(self, method: str, path: str) -> FaultRule | None:
        """The first rule matching this call, spending one of its ``times``."""
        for index, rule in enumerate(self.rules):
            if rule.method == method and rule.path == path:
                if rule.times <= 1:
                    del self.rules[index]
                else:
                    self.rules[index] = rule.model_copy(update={"times": rule.times - 1})
                return rule
        return None
