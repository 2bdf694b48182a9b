"""How the postal simulator behaves: credentials, pacing, faults, randomness."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class PostalSimConfig:
    """Simulated delays are in simulated seconds; ``time_scale`` converts them to real seconds
    (``0.001`` turns an hour into 3.6 s). Rates are probabilities in ``[0, 1]``."""

    client_id: str = "hub"
    client_secret: str = "hub-secret"
    token_ttl_seconds: float = 3600.0
    time_scale: float = 1.0
    step_delay_seconds: tuple[float, float] = (600.0, 3600.0)
    unavailable_rate: float = 0.0
    delivery_failure_rate: float = 0.0
    max_delivery_failures: int = 2
    max_page_size: int = 100
    seed: int = 0

    def __post_init__(self) -> None:
        low, high = self.step_delay_seconds
        if not 0 <= low <= high:
            raise ValueError("step_delay_seconds must be (low, high) with 0 <= low <= high")
        if self.time_scale < 0 or self.token_ttl_seconds < 1:
            raise ValueError("time_scale must be >= 0 and token_ttl_seconds >= 1")
        for rate in (self.unavailable_rate, self.delivery_failure_rate):
            if not 0.0 <= rate <= 1.0:
                raise ValueError("rates must lie in [0, 1]")
        if self.max_page_size < 1 or self.max_delivery_failures < 0:
            raise ValueError("max_page_size must be >= 1 and max_delivery_failures >= 0")
