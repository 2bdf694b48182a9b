"""The one place that reads the environment (prefix ``HUB_``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

EventLoop = Literal["uvloop", "asyncio"]
PlanCacheMode = Literal["force_generic_plan", "auto", "force_custom_plan"]


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
    ingress_prefetch: int = Field(
        default=4,
        ge=1,
        description="Deliveries the broker sends ahead on each ingress shard; they are still "
        "applied one at a time, in order.",
    )
    worker_index: int = Field(
        default=0, ge=0, description="This worker's number among worker_count (0-based)."
    )
    worker_count: int = Field(
        default=1,
        ge=1,
        description="Workers sharing the ingress shards: each consumes its share first and "
        "stands by for the others' shards.",
    )
    startup_wait_s: float = Field(
        default=180.0,
        ge=0,
        description="How long `hub run` keeps retrying while RabbitMQ or PostgreSQL is down "
        "at start-up (a restart of either) before it gives up.",
    )
    standby_after_s: float = Field(
        default=3.0, ge=0, description="Delay before standing by for other workers' shards."
    )
    db_pool_size: int = Field(default=10, ge=1)
    db_plan_cache_mode: PlanCacheMode = Field(
        default="auto",
        description="PostgreSQL's plan_cache_mode on the worker's connections. "
        "force_generic_plan plans each prepared statement once per connection (saves ~0.6-0.8 "
        "ms of PostgreSQL per projection transaction) but a plan made on a young table stays "
        "until the next ANALYZE: only with autovacuum on.",
    )
    overdue_scan_seconds: float = Field(
        default=60.0, ge=0, description="Interval of the deadline scan in each worker; 0: off."
    )
    overdue_lookback_days: int = Field(
        default=30, ge=1, description="Dossiers due longer ago than this are not scanned."
    )
    loop_stall_warn_ms: int = Field(
        default=250,
        ge=0,
        description="Log event_loop_stalled when a worker's event loop was held up this long "
        "(ms); 0: off.",
    )
    event_loop: EventLoop = Field(
        default="uvloop",
        description="Event loop of `hub run`: uvloop (faster; asyncio's own where uvloop is "
        "not installed) or asyncio.",
    )
    log_level: str = "INFO"
    log_json: bool | None = Field(default=None, description="None: JSON unless on a terminal.")

    @model_validator(mode="after")
    def _worker_within_count(self) -> Settings:
        if self.worker_index >= self.worker_count:
            raise ValueError(
                f"HUB_WORKER_INDEX {self.worker_index} must be below "
                f"HUB_WORKER_COUNT {self.worker_count}"
            )
        return self
