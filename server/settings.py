"""Settings from the environment (and a ``.env`` file), per the API contract."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    secret_key: str = Field(default="dev-insecure-change-me", alias="ALMANAC_SECRET_KEY")
    data_dir: Path = Field(default=Path.home() / ".almanac", alias="ALMANAC_DATA_DIR")
    smtp_url: str | None = Field(default=None, alias="SMTP_URL")
    max_window_days: int = Field(default=400, alias="ALMANAC_MAX_WINDOW_DAYS")
    token_ttl_minutes: int = Field(default=12 * 60, alias="ALMANAC_TOKEN_TTL_MINUTES")
    log_level: str = Field(default="INFO", alias="ALMANAC_LOG_LEVEL")
    log_json: bool = Field(default=False, alias="ALMANAC_LOG_JSON")
    rate_limit: str = Field(default="600/minute", alias="ALMANAC_RATE_LIMIT")
    login_rate_limit: str = Field(default="10/minute", alias="ALMANAC_LOGIN_RATE_LIMIT")
    mail_from: str = Field(default="almanac@localhost", alias="ALMANAC_MAIL_FROM")
    redis_namespace: str = Field(default="almanac", alias="ALMANAC_REDIS_NAMESPACE")
    # The office's own zone: quarterly meetings and other organisation-wide times use it.
    organisation_timezone: str = Field(default="UTC", alias="ALMANAC_TIMEZONE")
    public_url: str = Field(default="http://127.0.0.1:8000", alias="ALMANAC_PUBLIC_URL")
    # Real-time: change-log retention (pruned by a job), per-subscriber queue bound, relay poll.
    change_log_retention_days: int = Field(default=7, ge=1, alias="ALMANAC_CHANGE_LOG_RETENTION_DAYS")
    subscriber_queue_size: int = Field(default=256, ge=1, alias="ALMANAC_SUBSCRIBER_QUEUE_SIZE")
    relay_poll_seconds: float = Field(default=1.0, gt=0, alias="ALMANAC_RELAY_POLL_SECONDS")

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)


@lru_cache
def get_settings() -> Settings:
    return Settings()
