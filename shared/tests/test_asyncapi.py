"""The AsyncAPI document of the events: generated from the code, committed, valid AsyncAPI 3.0 by
the official schema, and saying what the code does (topics, keys, headers, envelope, payloads)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import shared.events
from shared.events.asyncapi import (
    ASYNCAPI_FILE,
    DEAD_LETTER_HEADERS,
    asyncapi_document,
    asyncapi_text,
    message_id,
    published_event_types,
)
from shared.events.compatibility import SCHEMA_DIR
from shared.events.topics import ALL_TOPICS
from shared.testing.asyncapi import (
    dangling_references,
    message_problems,
    official_schema_problems,
)
from shared.testing.infra import repo_root

EVENT_TYPES = published_event_types()


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return asyncapi_document()


class TestTheCommittedDocument:
    def test_is_what_the_code_generates_now(self) -> None:
        assert ASYNCAPI_FILE.exists(), "no AsyncAPI document: run `make asyncapi`"
        assert ASYNCAPI_FILE.read_text() == asyncapi_text(), (
            "the AsyncAPI document is stale: run `make asyncapi` (or `make schemas`)"
        )

    def test_is_valid_asyncapi_3_by_the_official_schema(self, document: dict[str, Any]) -> None:
        assert document["asyncapi"] == "3.0.0"
        assert official_schema_problems(document) == []

    def test_the_official_schema_does_refuse_a_broken_document(
        self, document: dict[str, Any]
    ) -> None:
        broken = json.loads(json.dumps(document))
        broken["operations"]["publish.inventory.batch.events"]["action"] = "publish"
        broken["channels"]["inventory.batch.events"]["bindings"]["kafka"]["partitions"] = 0
        problems = official_schema_problems(broken)
        assert any("'publish' is not one of" in p for p in problems), problems
        assert any("0 is less than the minimum of 1" in p for p in problems), problems

    def test_every_reference_points_into_the_document(self, document: dict[str, Any]) -> None:
        assert dangling_references(document) == []
        broken = json.loads(json.dumps(document))
        broken["components"]["schemas"].pop("BatchSnapshot")
        assert dangling_references(broken) == ["#/components/schemas/BatchSnapshot"]


class TestTopics:
    def test_every_declared_topic_is_a_channel_with_its_key_partitions_and_retention(
        self, document: dict[str, Any]
    ) -> None:
        assert [c["address"] for c in document["channels"].values()] == [t.name for t in ALL_TOPICS]
        for topic in ALL_TOPICS:
            channel = document["channels"][topic.name]
            kafka = channel["bindings"]["kafka"]
            assert kafka["partitions"] == topic.partitions
            assert kafka["topicConfiguration"]["retention.ms"] == topic.retention_ms
            assert channel["x-key"] == topic.key
            assert document["operations"][f"publish.{topic.name}"]["action"] == "send"

    def test_every_dead_letter_topic_carries_dead_letters(self, document: dict[str, Any]) -> None:
        for topic in ALL_TOPICS:
            if topic.name.endswith(".dlt"):
                assert list(document["channels"][topic.name]["messages"]) == ["deadLetter"]

    def test_every_dead_letter_header_the_code_writes_is_documented(self) -> None:
        sources = repo_root() / "shared" / "src" / "shared"
        written = {
            name
            for path in sources.rglob("*.py")
            if path.name != "asyncapi.py"
            for name in re.findall(r"\"(x-dlt-[a-z-]+)\"", path.read_text())
        }
        assert written == set(DEAD_LETTER_HEADERS)


class TestEventTypes:
    @pytest.mark.parametrize("registered", EVENT_TYPES, ids=message_id)
    def test_every_registered_event_type_is_a_message_on_its_topic(
        self, document: dict[str, Any], registered: shared.events.EventType
    ) -> None:
        name = message_id(registered)
        channel = document["channels"][registered.topic.name]
        assert channel["messages"][name] == {"$ref": f"#/components/messages/{name}"}
        operation = document["operations"][f"publish.{registered.topic.name}"]
        assert {"$ref": f"#/channels/{registered.topic.name}/messages/{name}"} in operation[
            "messages"
        ]
        message = document["components"]["messages"][name]
        assert (message["x-event-type"], message["x-event-version"]) == (
            registered.name,
            registered.version,
        )

    @pytest.mark.parametrize("registered", EVENT_TYPES, ids=message_id)
    def test_every_payload_schema_is_the_event_types_committed_snapshot(
        self, document: dict[str, Any], registered: shared.events.EventType
    ) -> None:
        snapshot = json.loads((SCHEMA_DIR / registered.schema_file).read_text())
        components = document["components"]["schemas"]

        def relocated(schema: dict[str, Any]) -> Any:
            text = json.dumps(schema, sort_keys=True)
            return json.loads(text.replace('"#/$defs/', '"#/components/schemas/'))

        definitions = snapshot.pop("$defs", {})
        assert relocated(snapshot) == json.loads(
            json.dumps(components[registered.model.__name__], sort_keys=True)
        )
        for name, definition in definitions.items():
            assert relocated(definition) == components[name], name

    @pytest.mark.parametrize("registered", EVENT_TYPES, ids=message_id)
    def test_every_example_conforms_to_its_message(
        self, document: dict[str, Any], registered: shared.events.EventType
    ) -> None:
        name = message_id(registered)
        [example] = document["components"]["messages"][name]["examples"]
        envelope = example["payload"]
        problems = message_problems(
            document,
            name,
            key=envelope["aggregate_id"],
            headers=example["headers"],
            value=json.dumps(envelope),
        )
        assert problems == []
        decoded = shared.events.decode(shared.events.EventEnvelope.model_validate(envelope))
        assert isinstance(decoded, registered.model)

    def test_a_record_that_breaks_the_contract_is_reported(self, document: dict[str, Any]) -> None:
        registered = next(t for t in EVENT_TYPES if t.name.startswith("inventory."))
        name = message_id(registered)
        [example] = document["components"]["messages"][name]["examples"]
        envelope = json.loads(json.dumps(example["payload"]))
        envelope["payload"]["batch"]["balances"]["on_hand"] = 12.5
        envelope["event_type"] = "inventory.batch.something_else"
        headers = {k: v for k, v in example["headers"].items() if k != "event-id"}
        problems = message_problems(
            document, name, key=None, headers=headers, value=json.dumps(envelope)
        )
        assert any("'event-id' is a required property" in p for p in problems), problems
        assert any(p.startswith("value/payload/batch/balances/on_hand") for p in problems)
        assert any(p.startswith("value/event_type") for p in problems), problems
        assert any(p.startswith("key:") for p in problems), problems
