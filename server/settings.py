"""Settings from the environment (and a ``.env`` file), per the API contract."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET_KEY = "dev-insecure-change-me"


def comma_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


class Settings(BaseSettings):
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    secret_key: str = Field(default=DEVELOPMENT_SECRET_KEY, alias="ALMANAC_SECRET_KEY")
    data_dir: Path = Field(default=Path.home() / ".almanac", alias="ALMANAC_DATA_DIR")
    smtp_url: str | None = Field(default=None, alias="SMTP_URL")
    max_window_days: int = Field(default=400, alias="ALMANAC_MAX_WINDOW_DAYS")
    token_ttl_minutes: int = Field(default=12 * 60, alias="ALMANAC_TOKEN_TTL_MINUTES")
    log_level: str = Field(default="INFO", alias="ALMANAC_LOG_LEVEL")
    log_json: bool = Field(default=False, alias="ALMANAC_LOG_JSON")
    # One line per HTTP request (uvicorn's access log). Off by default: at INFO it cost ~22 % of a
    # cheap query's throughput (a formatted line and a stderr write per request; issue 12), and the
    # proxy in front of the server usually logs requests already. /metrics counts operations.
    access_log: bool = Field(default=False, alias="ALMANAC_ACCESS_LOG")
    rate_limit: str = Field(default="600/minute", alias="ALMANAC_RATE_LIMIT")
    login_rate_limit: str = Field(default="10/minute", alias="ALMANAC_LOGIN_RATE_LIMIT")
    # Public service requests per client address (anonymous) or user.
    service_request_rate_limit: str = Field(default="5/hour", alias="ALMANAC_SERVICE_REQUEST_RATE_LIMIT")
    mail_from: str = Field(default="almanac@localhost", alias="ALMANAC_MAIL_FROM")
    redis_namespace: str = Field(default="almanac", alias="ALMANAC_REDIS_NAMESPACE")
    # The office's own zone: quarterly meetings and other organisation-wide times use it.
    organisation_timezone: str = Field(default="UTC", alias="ALMANAC_TIMEZONE")
    public_url: str = Field(default="http://127.0.0.1:8000", alias="ALMANAC_PUBLIC_URL")
    # Real-time: change-log retention (pruned by a job), per-subscriber queue bound, relay poll.
    change_log_retention_days: int = Field(default=7, ge=1, alias="ALMANAC_CHANGE_LOG_RETENTION_DAYS")
    subscriber_queue_size: int = Field(default=256, ge=1, alias="ALMANAC_SUBSCRIBER_QUEUE_SIZE")
    relay_poll_seconds: float = Field(default=1.0, gt=0, alias="ALMANAC_RELAY_POLL_SECONDS")
    # Capacity, per server process (issue 12; README "Capacity"): PostgreSQL allows 100 connections
    # in all, so a process holds at most pool + overflow, and ``--workers N`` multiplies that by N.
    db_pool_size: int = Field(default=5, ge=1, alias="ALMANAC_DB_POOL_SIZE")
    db_max_overflow: int = Field(default=3, ge=0, alias="ALMANAC_DB_MAX_OVERFLOW")
    db_pool_timeout: float = Field(default=10.0, gt=0, alias="ALMANAC_DB_POOL_TIMEOUT")
    workers: int | None = Field(default=None, ge=1, alias="ALMANAC_WORKERS")
    user_cache_seconds: float = Field(default=5.0, ge=0, alias="ALMANAC_USER_CACHE_SECONDS")
    max_running_operations: int | None = Field(default=None, ge=1, alias="ALMANAC_MAX_RUNNING_OPERATIONS")
    max_heavy_operations: int = Field(default=2, ge=1, alias="ALMANAC_MAX_HEAVY_OPERATIONS")
    heavy_operation_ms: float = Field(default=30, gt=0, alias="ALMANAC_HEAVY_OPERATION_MS")
    gzip_min_bytes: int = Field(default=1024, ge=0, alias="ALMANAC_GZIP_MIN_BYTES")
    answer_cache_bytes: int = Field(default=64 * 2**20, ge=0, alias="ALMANAC_ANSWER_CACHE_BYTES")
    gc_freeze: bool = Field(default=True, alias="ALMANAC_GC_FREEZE")
    gc_threshold: str = Field(default="50000,20,100", alias="ALMANAC_GC_THRESHOLD")

    # Attachments: where files live (default: $ALMANAC_DATA_DIR/attachments), the largest upload,
    # how long a signed download URL stays valid.
    storage_dir: Path | None = Field(default=None, alias="ALMANAC_STORAGE_DIR")
    # ``s3``: an S3-compatible bucket instead of the directory (server/storage_s3.py). Credentials
    # left unset fall back to boto3's own chain (AWS_* variables, instance or pod role).
    storage_backend: Literal["local", "s3"] = Field(default="local", alias="ALMANAC_STORAGE_BACKEND")
    s3_endpoint_url: str | None = Field(default=None, alias="ALMANAC_S3_ENDPOINT_URL")
    s3_bucket: str | None = Field(default=None, alias="ALMANAC_S3_BUCKET")
    s3_region: str = Field(default="us-east-1", alias="ALMANAC_S3_REGION")
    s3_access_key_id: str | None = Field(default=None, alias="ALMANAC_S3_ACCESS_KEY_ID")
    s3_secret_access_key: SecretStr | None = Field(default=None, alias="ALMANAC_S3_SECRET_ACCESS_KEY")
    # The orphan sweep deletes whatever no attachment refers to under the prefix: never the whole
    # bucket unless asked for with an empty prefix.
    s3_prefix: str = Field(default="attachments", alias="ALMANAC_S3_PREFIX")
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1, alias="ALMANAC_MAX_UPLOAD_BYTES")
    download_url_seconds: int = Field(default=300, ge=10, le=86_400, alias="ALMANAC_DOWNLOAD_URL_SECONDS")
    # Open websockets re-check their user (active? token unexpired?) at least this often.
    subscription_recheck_seconds: float = Field(default=60.0, gt=0, le=60, alias="ALMANAC_SUBSCRIPTION_RECHECK_SECONDS")

    # Request limits (issue 11): why each default is what it is, see README "Limits".
    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024, alias="ALMANAC_MAX_BODY_BYTES")
    max_anonymous_body_bytes: int = Field(default=16 * 1024, ge=1024, alias="ALMANAC_MAX_ANONYMOUS_BODY_BYTES")
    max_json_depth: int = Field(default=32, ge=4, alias="ALMANAC_MAX_JSON_DEPTH")
    cost_budget: str = Field(default="20000/minute", alias="ALMANAC_COST_BUDGET")
    anonymous_cost_budget: str = Field(default="2000/minute", alias="ALMANAC_ANONYMOUS_COST_BUDGET")
    time_budget: str = Field(default="15000/minute", alias="ALMANAC_TIME_BUDGET")
    login_ip_rate_limit: str = Field(default="30/minute", alias="ALMANAC_LOGIN_IP_RATE_LIMIT")
    feed_rate_limit: str = Field(default="30/minute", alias="ALMANAC_FEED_RATE_LIMIT")
    max_subscriptions_per_connection: int = Field(default=10, ge=1, alias="ALMANAC_MAX_SUBSCRIPTIONS_PER_CONNECTION")
    max_subscriptions_per_user: int = Field(default=30, ge=1, alias="ALMANAC_MAX_SUBSCRIPTIONS_PER_USER")
    # Deployment: what a production server exposes and whom it trusts.
    graphiql: bool = Field(default=True, alias="ALMANAC_GRAPHIQL")
    introspection: bool = Field(default=True, alias="ALMANAC_INTROSPECTION")
    cors_origins: str = Field(default="", alias="ALMANAC_CORS_ORIGINS")
    trusted_proxies: str = Field(default="", alias="ALMANAC_TRUSTED_PROXIES")

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)


    @model_validator(mode="after")
    def _s3_needs_a_bucket(self) -> Self:
        if self.storage_backend == "s3" and not self.s3_bucket:
            raise ValueError("ALMANAC_STORAGE_BACKEND=s3 needs ALMANAC_S3_BUCKET")
        if (self.s3_access_key_id is None) != (self.s3_secret_access_key is None):
            raise ValueError("set both ALMANAC_S3_ACCESS_KEY_ID and ALMANAC_S3_SECRET_ACCESS_KEY, or neither")
        return self

    @property
    def cors_origin_list(self) -> tuple[str, ...]:
        return comma_list(self.cors_origins)

    @property
    def trusted_proxy_list(self) -> tuple[str, ...]:
        return comma_list(self.trusted_proxies)

    @property
    def embedded(self) -> bool:
        """No DATABASE_URL: the private development database under ``data_dir``."""
        return not self.database_url


@lru_cache
def get_settings() -> Settings:
    return Settings()
