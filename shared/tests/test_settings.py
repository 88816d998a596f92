"""Settings: read from the environment, secrets masked, placeholders refused in production."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from shared.settings import Environment, ServiceSettings


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://inv:s3cret-Xy@db:5432/inventory")
    settings = ServiceSettings()
    assert settings.kafka_bootstrap_servers == "kafka:9092"
    assert "s3cret" not in repr(settings)
    assert "s3cret" not in str(settings.model_dump())


def test_production_refuses_development_placeholder_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CANOPY_ENV", "production")
    monkeypatch.setenv(
        "DATABASE_URL", "postgresql+asyncpg://inventory:canopy-dev-inventory@db:5432/inventory"
    )
    with pytest.raises(ValidationError, match="placeholder secrets in: database_url"):
        ServiceSettings()


def test_production_accepts_real_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANOPY_ENV", "production")
    monkeypatch.setenv(
        "DATABASE_URL", "postgresql+asyncpg://inventory:Vq9-long-random@db/inventory"
    )
    assert ServiceSettings().environment is Environment.PRODUCTION


def test_development_allows_the_defaults() -> None:
    assert ServiceSettings().environment is Environment.DEVELOPMENT
