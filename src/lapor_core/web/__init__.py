"""
HTTP: an Open311 GeoReport v2 server over a :class:`~lapor_core.service.ComplaintService`.

* :func:`create_app`: the Starlette (ASGI) application, to mount in any Python web
  application or to serve with ``lapor-core serve``.
* :class:`WebConfig` (read from TOML by :func:`load_web_config`) and :class:`ApiKey`:
  jurisdiction, API keys stored as digests (:func:`hash_api_key`), the request size and
  rate limits, CORS.

Needs the ``web`` extra (``pip install lapor-core[web]``).

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from lapor_core.web.app import DEFAULT_WINDOW, SPECIFICATION_URL, create_app
from lapor_core.web.config import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_RATE_LIMIT,
    ApiKey,
    WebConfig,
    hash_api_key,
    load_web_config,
)

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_RATE_LIMIT",
    "DEFAULT_WINDOW",
    "SPECIFICATION_URL",
    "ApiKey",
    "WebConfig",
    "create_app",
    "hash_api_key",
    "load_web_config",
]
