"""The one place that reads the environment (prefix ``HUB_``)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUB_", env_file=".env", extra="ignore")

    amqp_url: SecretStr = SecretStr("amqp://guest:guest@localhost:5672/")
    database_url: SecretStr = SecretStr("postgresql://postgres@localhost:5432/postgres")
    postal_api_url: str = "http://127.0.0.1:8089"
    postal_client_id: str = "hub"
    postal_client_secret: SecretStr = SecretStr("hub-secret")
    postal_poll_seconds: float = Field(default=1.0, gt=0)
    peer_secret: SecretStr = Field(
        default=SecretStr("dev-peer-secret"),
        description="Derives each unit's broker password in the generated definitions.",
    )
    broker_password: SecretStr = SecretStr("hub")
    prefetch: int = Field(default=64, ge=1)
    db_pool_size: int = Field(default=10, ge=1)
    log_level: str = "INFO"
    log_json: bool | None = Field(default=None, description="None: JSON unless on a terminal.")
