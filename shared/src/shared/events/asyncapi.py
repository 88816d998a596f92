"""The AsyncAPI 3.0 document of Canopy's events, generated from the code that defines them.

The sources are the topic list (:mod:`shared.events.topics`), the registry of event types with
their payload models and examples (:mod:`shared.events.registry`) and the envelope
(:mod:`shared.events.envelope`); the Kafka headers are described here. ``make asyncapi`` (also part
of ``make schemas``) writes the document to ``asyncapi.json`` beside this module, the gateway
serves that file at ``/asyncapi.json``, and a test fails when it differs from what this module
generates now.
"""

from __future__ import annotations

import inspect
import json
import sys
import uuid
from importlib.metadata import version
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

from shared.events.envelope import Actor, EventEnvelope
from shared.events.registry import EventType, all_event_types
from shared.events.topics import ALL_TOPICS, DEAD_LETTER_SUFFIX, Topic

__all__ = [
    "ASYNCAPI_FILE",
    "asyncapi_document",
    "asyncapi_text",
    "message_id",
    "published_event_types",
]

ASYNCAPI_FILE = Path(__file__).parent / "asyncapi.json"
KAFKA_BINDING_VERSION = "0.5.0"
_SCHEMAS = "#/components/schemas/"

DESCRIPTION = """\
Every integration event Canopy publishes to Kafka: the topics, their keys, the headers, the
envelope and each event type's payload.

**Envelope.** Every message value is one JSON object, the envelope (`EventEnvelope`): `event_id`,
`event_type`, `event_version`, `occurred_at`, `producer`, `aggregate_id`, `aggregate_version`,
`site_id`, `actor`, `correlation_id`, `causation_id` and `payload`, whose schema is given by
`(event_type, event_version)`. Quantities and money are decimal strings; times are UTC
(RFC 3339).

**Keys and order.** The message key is the envelope's `aggregate_id` (for the inventory's events
the batch id), so the events of one aggregate are on one partition in the order they happened,
and `aggregate_version` rises by one with each change. There is no order across aggregates.

**Delivery: at least once.** Events are written in the same database transaction as the change
they describe (a transactional outbox) and published by a relay that marks them sent only after
Kafka acknowledged them, so none is lost and some may arrive twice. Deduplicate by `event_id`
(also in the `event-id` header): record it in the same transaction as your effects, and commit
your consumer's offset only after that.

**Versions.** Within one `event_version` a payload only gains optional fields; anything else is a
new version, published as a new message type. Ignore fields you do not know. Unknown event types
can be skipped.

**Dead letters.** A Canopy consumer that gives up on a message copies it to `<topic>.dlt` with
the error in `x-dlt-*` headers; integrators need not read those topics.
"""

_TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

EVENT_HEADERS: dict[str, dict[str, Any]] = {
    "event-id": {
        "type": "string",
        "format": "uuid",
        "description": "The envelope's `event_id`: deduplicate by it.",
    },
    "event-type": {"type": "string", "description": "The envelope's `event_type`."},
    "event-version": {
        "type": "string",
        "pattern": "^[1-9][0-9]*$",
        "description": "The envelope's `event_version`, in decimal digits.",
    },
    "content-type": {"const": "application/json", "description": "The value's encoding."},
    "correlation-id": {
        "type": "string",
        "description": "The request id that started it all (the envelope's `correlation_id`);"
        " absent when there is none.",
    },
    "traceparent": {
        "type": "string",
        "pattern": "^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$",
        "description": "W3C trace context of the request that caused the event: continue it in"
        " your consumer's span. Absent when the producer was not tracing.",
    },
    "tracestate": {"type": "string", "description": "W3C trace state, when there is one."},
}
REQUIRED_EVENT_HEADERS = ("event-id", "event-type", "event-version", "content-type")

DEAD_LETTER_HEADERS: dict[str, dict[str, Any]] = {
    "x-dlt-original-topic": {"type": "string", "description": "Where the message was read."},
    "x-dlt-original-partition": {"type": "string", "pattern": "^[0-9]+$"},
    "x-dlt-original-offset": {"type": "string", "pattern": "^[0-9]+$"},
    "x-dlt-consumer": {"type": "string", "description": "The consumer that gave up on it."},
    "x-dlt-consumer-group": {"type": "string", "description": "That consumer's Kafka group."},
    "x-dlt-error-class": {"type": "string", "description": "The exception's qualified name."},
    "x-dlt-error-message": {"type": "string", "description": "Its text, at most 2,000 chars."},
    "x-dlt-attempts": {"type": "string", "pattern": "^[0-9]+$"},
    "x-dlt-failed-at": {
        "type": "string",
        "format": "date-time",
        "description": "When it was dead-lettered (UTC, ISO 8601).",
    },
}


def published_event_types() -> list[EventType]:
    """The registered event types on the declared topics (a test may register its own elsewhere)."""
    import shared.events  # noqa: F401  (registers every event type)

    return [t for t in all_event_types() if t.topic in ALL_TOPICS]


def message_id(registered: EventType) -> str:
    """The key of an event type's message in the document: ``<event type>.v<version>``."""
    return f"{registered.name}.v{registered.version}"


def _channel_id(topic: Topic) -> str:
    return topic.name


def _retention(topic: Topic) -> str:
    return "kept forever" if topic.retention_ms < 0 else f"kept {topic.retention_ms} ms"


def _key_schema(topic: Topic) -> dict[str, Any]:
    return {
        "type": "string",
        "description": f"The {topic.key} (the envelope's `aggregate_id`): one aggregate's"
        " events share a partition and stay in order.",
    }


def _channel(topic: Topic, messages: list[EventType]) -> dict[str, Any]:
    dead_letters = topic.name.endswith(DEAD_LETTER_SUFFIX)
    said = topic.description if topic.description.endswith(".") else topic.description + "."
    description = (
        f"{said} Key: {topic.key}; {topic.partitions} partition(s);"
        f" {_retention(topic)}; written by {topic.owner}."
    )
    if dead_letters:
        description = (
            f"{topic.description}, written by whichever Canopy consumer gave up on them;"
            f" {topic.partitions} partition(s); {_retention(topic)}. Same key and value as the"
            " original message."
        )
    elif not messages:
        description += " No event type is published on it yet."
    references = (
        {"deadLetter": {"$ref": "#/components/messages/deadLetter"}}
        if dead_letters
        else {message_id(t): {"$ref": f"#/components/messages/{message_id(t)}"} for t in messages}
    )
    return {
        "address": topic.name,
        "title": topic.name,
        "description": description,
        "messages": references,
        "bindings": {
            "kafka": {
                "topic": topic.name,
                "partitions": topic.partitions,
                "topicConfiguration": {
                    "cleanup.policy": ["delete"],
                    "retention.ms": topic.retention_ms,
                },
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
        "x-owner": topic.owner,
        "x-key": topic.key,
    }


def _operation(topic: Topic, channel: dict[str, Any]) -> dict[str, Any]:
    channel_ref = f"#/channels/{_channel_id(topic)}"
    return {
        "action": "send",
        "channel": {"$ref": channel_ref},
        "title": f"Publish to {topic.name}",
        "summary": (
            "Canopy's consumers dead-letter what they give up on"
            if topic.name.endswith(DEAD_LETTER_SUFFIX)
            else f"The {topic.owner} service publishes its events"
        ),
        "messages": [{"$ref": f"{channel_ref}/messages/{name}"} for name in channel["messages"]],
    }


def _headers_schema(registered: EventType | None) -> dict[str, Any]:
    if registered is None:
        return {"$ref": _SCHEMAS + "EventHeaders"}
    return {
        "allOf": [
            {"$ref": _SCHEMAS + "EventHeaders"},
            {
                "type": "object",
                "properties": {
                    "event-type": {"const": registered.name},
                    "event-version": {"const": str(registered.version)},
                },
            },
        ]
    }


def _example(registered: EventType) -> dict[str, Any]:
    """The model's own example, wrapped as the producer wraps it, with the headers it sends."""
    extra = registered.model.model_config.get("json_schema_extra")
    examples = extra.get("examples") if isinstance(extra, dict) else None
    if not isinstance(examples, list) or not examples:
        raise ValueError(f"{registered.name}: its payload model has no example")
    payload = registered.model.model_validate(examples[0])
    batch = getattr(payload, "batch", None)  # the inventory's events describe one batch
    event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"canopy:example:{message_id(registered)}")
    occurred_at = getattr(payload, "occurred_at", None)
    envelope = EventEnvelope(
        event_id=event_id,
        event_type=registered.name,
        event_version=registered.version,
        producer=registered.topic.owner,
        aggregate_id=str(batch.batch_id) if batch else "example-aggregate",
        aggregate_version=batch.version if batch else None,
        site_id=str(batch.site.id) if batch else None,
        actor=Actor(id=getattr(payload, "actor", "user-17"), display_name="Dana Reyes"),
        correlation_id="req-3f1c9a0e5b7d4e2a",
        payload=payload.model_dump(mode="json"),
        **({} if occurred_at is None else {"occurred_at": occurred_at}),
    )
    headers = {
        "event-id": str(event_id),
        "event-type": registered.name,
        "event-version": str(registered.version),
        "content-type": "application/json",
        "correlation-id": "req-3f1c9a0e5b7d4e2a",
        "traceparent": _TRACEPARENT,
    }
    return {
        "name": f"{registered.name}-example",
        "summary": f"One {registered.name} event as it arrives",
        "headers": headers,
        "payload": envelope.model_dump(mode="json"),
    }


def _message(registered: EventType) -> dict[str, Any]:
    doc = inspect.getdoc(registered.model) or registered.name
    summary, _, more = doc.partition("\n")
    return {
        "name": registered.name,
        "title": f"{registered.name} v{registered.version}",
        "summary": summary,
        **({"description": more.strip()} if more.strip() else {}),
        "contentType": "application/json",
        "headers": _headers_schema(registered),
        "payload": {
            "allOf": [
                {"$ref": _SCHEMAS + "EventEnvelope"},
                {
                    "type": "object",
                    "properties": {
                        "event_type": {"const": registered.name},
                        "event_version": {"const": registered.version},
                        "payload": {"$ref": _SCHEMAS + registered.model.__name__},
                    },
                },
            ]
        },
        "correlationId": {"$ref": "#/components/correlationIds/requestId"},
        "bindings": {
            "kafka": {"key": _key_schema(registered.topic), "bindingVersion": KAFKA_BINDING_VERSION}
        },
        "examples": [_example(registered)],
        "x-event-type": registered.name,
        "x-event-version": registered.version,
        "x-schema-file": f"shared/src/shared/events/schemas/{registered.schema_file}",
    }


def _dead_letter_message() -> dict[str, Any]:
    return {
        "name": "dead-letter",
        "title": "Dead letter",
        "summary": "A message a Canopy consumer gave up on, copied with the reason",
        "description": (
            "The original key and value, byte for byte (normally an envelope as on the original"
            " topic; a poison message may be anything), the original headers, and the `x-dlt-*`"
            " headers naming where it came from, who gave up and why. `python -m"
            " shared.messaging.redrive` puts dead letters back on their original topic."
        ),
        "headers": {
            "type": "object",
            "properties": {**EVENT_HEADERS, **DEAD_LETTER_HEADERS},
            "required": list(DEAD_LETTER_HEADERS),
        },
        "payload": {"description": "The original message's value, unchanged."},
    }


def _schemas(types: list[EventType]) -> dict[str, Any]:
    # One namespace for every model: shared definitions (the batch snapshot, the enums) once.
    _, definitions = models_json_schema(
        [(t.model, "validation") for t in types] + [(EventEnvelope, "validation")],
        ref_template=_SCHEMAS + "{model}",
    )
    schemas: dict[str, Any] = dict(sorted(definitions.get("$defs", {}).items()))
    schemas["EventHeaders"] = {
        "type": "object",
        "description": "Kafka headers of every event (UTF-8 text values).",
        "properties": EVENT_HEADERS,
        "required": list(REQUIRED_EVENT_HEADERS),
    }
    return schemas


def asyncapi_document() -> dict[str, Any]:
    """The document, built from the registry and the topic list as they are now."""
    types = published_event_types()
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic in ALL_TOPICS:
        channel = _channel(topic, [t for t in types if t.topic == topic])
        channels[_channel_id(topic)] = channel
        operations[f"publish.{topic.name}"] = _operation(topic, channel)
    messages: dict[str, Any] = {message_id(t): _message(t) for t in types}
    messages["deadLetter"] = _dead_letter_message()
    return {
        "asyncapi": "3.0.0",
        "id": "urn:canopy:events",
        "info": {
            "title": "Canopy events",
            "version": version("canopy-shared"),
            "description": DESCRIPTION,
        },
        "servers": {
            "local": {
                "host": "127.0.0.1:19092",
                "protocol": "kafka",
                "description": "The native development stack (`make up`); a deployment names its"
                " own brokers.",
            }
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "schemas": _schemas(types),
            "correlationIds": {
                "requestId": {
                    "description": "The request id of the API call that caused the event.",
                    "location": "$message.header#/correlation-id",
                }
            },
        },
    }


def asyncapi_text() -> str:
    return json.dumps(asyncapi_document(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        ASYNCAPI_FILE.write_text(asyncapi_text())
        print(f"wrote {ASYNCAPI_FILE}")  # noqa: T201
    else:
        sys.stdout.write(asyncapi_text())
