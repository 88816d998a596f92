"""The kit of every service's HTTP API: the app (server spans, request ids, the one error body,
health, readiness, metrics), strict JSON bodies, routes from the contract's table behind the
gateway's identity token and the route's permission, Idempotency-Key runs, and JSON answers
encoded once."""

from shared.database import StoredResponse
from shared.http.app import create_service_app, settle_garbage_collector
from shared.http.errors import (
    error_response,
    internal_error_body,
    problem,
    validation_details,
    validation_message,
)
from shared.http.idempotency import (
    IdempotencyClaim,
    fingerprint,
    idempotency_key,
    respond_once,
    run_once,
)
from shared.http.readiness import KafkaReadiness, ReadinessCheck
from shared.http.request_ids import current_request_id
from shared.http.responses import Answer, json_response, json_text
from shared.http.routes import ContractRoutes
from shared.http.strict_json import StrictJsonRoute

__all__ = [
    "Answer",
    "ContractRoutes",
    "IdempotencyClaim",
    "KafkaReadiness",
    "ReadinessCheck",
    "StoredResponse",
    "StrictJsonRoute",
    "create_service_app",
    "current_request_id",
    "error_response",
    "fingerprint",
    "idempotency_key",
    "internal_error_body",
    "json_response",
    "json_text",
    "problem",
    "respond_once",
    "run_once",
    "settle_garbage_collector",
    "validation_details",
    "validation_message",
]
