"""Event contracts: committed schema snapshots, compatibility rules, the declared topics."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import shared.events
from pydantic import BaseModel, ValidationError
from shared.events import (
    ALL_TOPICS,
    EventEnvelope,
    Topic,
    all_event_types,
    decode,
    event_type,
)
from shared.events.compatibility import SCHEMA_DIR, breaking_changes
from shared.kafka_topics import topics_document
from shared.outbox import outbox_message
from shared.testing.infra import repo_root


@pytest.mark.parametrize("registered", list(all_event_types()), ids=lambda t: t.schema_file)
def test_every_event_schema_matches_its_committed_snapshot(
    registered: shared.events.EventType,
) -> None:
    snapshot = SCHEMA_DIR / registered.schema_file
    assert snapshot.exists(), f"no snapshot for {registered.schema_file}: run `make schemas`"
    committed = json.loads(snapshot.read_text())
    current = registered.model.model_json_schema()
    problems = breaking_changes(committed, current)
    assert not problems, (
        f"{registered.name} v{registered.version} changed incompatibly: {problems}. "
        "Register a new version instead of changing this one."
    )
    assert current == committed, "compatible change: refresh the snapshot with `make schemas`"


@pytest.mark.parametrize("registered", list(all_event_types()), ids=lambda t: t.schema_file)
def test_every_event_has_a_valid_example(registered: shared.events.EventType) -> None:
    examples = registered.model.model_config.get("json_schema_extra", {}).get("examples")  # type: ignore[union-attr]
    assert examples, f"{registered.name}: add json_schema_extra examples to the payload model"
    for example in examples:
        registered.model.model_validate(example)


def test_every_snapshot_belongs_to_a_registered_event() -> None:
    registered = {t.schema_file for t in all_event_types()}
    orphans = {p.name for p in Path(SCHEMA_DIR).glob("*.json")} - registered
    assert not orphans, f"snapshots without an event type (versions are never deleted): {orphans}"


class TestCompatibility:
    base = {
        "type": "object",
        "properties": {
            "qty": {"type": "string"},
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
        "required": ["qty"],
    }

    def test_adding_an_optional_field_is_compatible(self) -> None:
        new = json.loads(json.dumps(self.base))
        new["properties"]["extra"] = {"type": "integer"}
        assert breaking_changes(self.base, new) == []

    def test_removing_a_field_breaks(self) -> None:
        new = json.loads(json.dumps(self.base))
        del new["properties"]["note"]
        assert breaking_changes(self.base, new) == ["$.note: removed"]

    def test_changing_a_type_breaks(self) -> None:
        new = json.loads(json.dumps(self.base))
        new["properties"]["qty"] = {"type": "number"}
        assert breaking_changes(self.base, new)[0].startswith("$.qty: type changed")

    def test_making_a_field_required_breaks(self) -> None:
        new = json.loads(json.dumps(self.base))
        new["required"] = ["qty", "note"]
        assert breaking_changes(self.base, new) == ["$.note: became required"]

    def test_nested_definitions_are_compared(self) -> None:
        old = {
            "$defs": {"M": {"type": "object", "properties": {"a": {"type": "string"}}}},
            "type": "object",
            "properties": {"m": {"$ref": "#/$defs/M"}},
        }
        new = {
            "$defs": {"M": {"type": "object", "properties": {}}},
            "type": "object",
            "properties": {"m": {"$ref": "#/$defs/M"}},
        }
        assert breaking_changes(old, new) == ["$.m.a: removed"]


class Sample(BaseModel):
    qty: str


TOPIC = Topic(
    name="tests.contracts", partitions=1, retention_ms=1, owner="t", key="k", description="d"
)
event_type("tests.sample", version=1, topic=TOPIC)(Sample)


def test_an_envelope_round_trips_through_bytes_and_decodes_its_payload() -> None:
    message = outbox_message(
        Sample(qty="1.5000"),
        producer="tests",
        aggregate_id="b1",
        aggregate_version=3,
        occurred_at=datetime(2026, 1, 2, tzinfo=UTC),
    )
    envelope = EventEnvelope.from_bytes(message.envelope)
    again = EventEnvelope.from_bytes(envelope.to_bytes())
    assert again == envelope
    assert (again.event_type, again.event_version) == ("tests.sample", 1)
    assert decode(again) == Sample(qty="1.5000")


def test_an_envelope_refuses_naive_times() -> None:
    with pytest.raises(ValidationError):
        EventEnvelope(
            event_type="x",
            event_version=1,
            producer="p",
            aggregate_id="a",
            payload={},
            occurred_at=datetime(2026, 1, 2),
        )


def test_the_topics_file_in_deploy_is_generated_from_the_registry() -> None:
    committed = (repo_root() / "deploy" / "kafka" / "topics.yaml").read_text()
    assert committed == topics_document(ALL_TOPICS), "run `make topics-file`"


def test_every_topic_has_a_dead_letter_topic() -> None:
    names = {t.name for t in ALL_TOPICS}
    for topic in ALL_TOPICS:
        assert topic.name.endswith(".dlt") or topic.name + ".dlt" in names
