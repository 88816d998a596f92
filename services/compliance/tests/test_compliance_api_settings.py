"""The compliance API's settings routes over the service layer (in-memory unit of work,
FakeMetrc): jurisdiction rules validated and checked against Metrc's lists, Metrc keys saved,
validated, shown only as hints, rotated; permissions and sites enforced."""

from __future__ import annotations

from uuid import uuid4

from compliance.testing import LICENSE, REASONS, USER_KEY, VENDOR_KEY

RULES = {
    "state": "co",
    "program": "CANNABIS",
    "requireMetrcId": True,
    "metrcBaseUrl": "https://sandbox-api-co.metrc.com/",
    "licenseNumber": LICENSE,
    "timeZone": "America/Denver",
    "reasonMap": dict(REASONS),
    "locationMap": {"vault": "Vault"},
    "trackLocations": True,
    "allowOpeningBalance": True,
}
KEYS = {
    "state": "CO",
    "vendorKey": VENDOR_KEY,
    "userKey": USER_KEY,
    "notifyEmails": ["compliance@example.com"],
}


def _no_key_in(text: str) -> None:
    assert VENDOR_KEY not in text
    assert USER_KEY not in text
    assert VENDOR_KEY[:-4] not in text
    assert USER_KEY[:-4] not in text


class TestJurisdictionRules:
    async def test_saved_rules_are_validated_checked_against_metrc_and_read_back_in_camel_case(
        self, compliance_api
    ):
        api = compliance_api
        await api.h.save_keys()
        site = uuid4()
        saved = await api.client.put(
            f"/v1/compliance/rules/{site}", json=RULES, headers=api.officer
        )
        assert saved.status_code == 200, saved.text
        body = saved.json()
        assert body["checkedAgainstMetrc"] is True
        assert body["rules"]["state"] == "CO"
        assert body["rules"]["metrcBaseUrl"] == "https://sandbox-api-co.metrc.com"
        assert body["rules"]["pushesToMetrc"] is True
        assert body["rules"]["updatedBy"] == "qa-1"
        got = await api.client.get(f"/v1/compliance/rules/{site}", headers=api.officer)
        assert got.json() == body["rules"]
        listed = await api.client.get("/v1/compliance/rules", headers=api.officer)
        assert str(site) in {r["siteId"] for r in listed.json()}

    async def test_rules_with_every_problem_are_refused_at_once_and_nothing_is_stored(
        self, compliance_api
    ):
        api = compliance_api
        site = uuid4()
        bad = {**RULES, "state": "Colorado!", "timeZone": "Mars/Olympus", "reasonMap": {}}
        answer = await api.client.put(f"/v1/compliance/rules/{site}", json=bad, headers=api.officer)
        assert answer.status_code == 422
        error = answer.json()["error"]
        assert error["code"] in ("INVALID_JURISDICTION_RULES", "VALIDATION_ERROR")
        fixed = {**bad, "state": "CO"}
        answer = await api.client.put(
            f"/v1/compliance/rules/{site}", json=fixed, headers=api.officer
        )
        assert answer.json()["error"]["code"] == "INVALID_JURISDICTION_RULES"
        fields = {f["field"] for f in answer.json()["error"]["details"]["fields"]}
        assert {"time_zone", "reason_map"} <= fields
        missing = await api.client.get(f"/v1/compliance/rules/{site}", headers=api.officer)
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "RULES_NOT_FOUND"

    async def test_a_metrc_url_that_is_not_one_is_refused_as_a_field(self, compliance_api):
        api = compliance_api
        for url in ("http://[::1", "https://api-co.metrc.com:port", "ftp://x", "https://x?a=1"):
            answer = await api.client.put(
                f"/v1/compliance/rules/{uuid4()}",
                json={**RULES, "metrcBaseUrl": url},
                headers=api.officer,
            )
            assert answer.status_code == 422, url
            fields = {f["field"] for f in answer.json()["error"]["details"]["fields"]}
            assert "metrc_base_url" in fields, url

    async def test_a_reason_the_states_metrc_does_not_list_is_refused(self, compliance_api):
        api = compliance_api
        await api.h.save_keys()
        rules = {**RULES, "reasonMap": {**REASONS, "THEFT": "Stolen By Aliens"}}
        answer = await api.client.put(
            f"/v1/compliance/rules/{uuid4()}", json=rules, headers=api.officer
        )
        assert answer.status_code == 422
        assert answer.json()["error"]["code"] == "INVALID_JURISDICTION_RULES"
        assert "Stolen By Aliens" in answer.text

    async def test_rules_saved_while_metrc_cannot_be_asked_say_why_they_are_unchecked(
        self, compliance_api
    ):
        api = compliance_api  # no keys saved for the license
        answer = await api.client.put(
            f"/v1/compliance/rules/{uuid4()}", json=RULES, headers=api.officer
        )
        assert answer.status_code == 200
        assert answer.json()["checkedAgainstMetrc"] is False
        assert answer.json()["uncheckedBecause"]

    async def test_a_site_that_pushes_nothing_says_why(self, compliance_api):
        api = compliance_api
        hemp = {**RULES, "program": "HEMP", "reasonMap": {}}
        answer = await api.client.put(
            f"/v1/compliance/rules/{uuid4()}", json=hemp, headers=api.officer
        )
        assert answer.status_code == 200
        assert answer.json()["rules"]["pushesToMetrc"] is False
        assert "hemp" in answer.json()["rules"]["whyNotMetrc"]

    async def test_a_site_the_caller_is_not_granted_does_not_exist_for_them(self, compliance_api):
        api = compliance_api
        site, other = uuid4(), uuid4()
        await api.client.put(f"/v1/compliance/rules/{site}", json=RULES, headers=api.officer)
        outsider = api.caller("compliance:manage", sites=(str(other),))
        assert (
            await api.client.get(f"/v1/compliance/rules/{site}", headers=outsider)
        ).status_code == 404
        put = await api.client.put(f"/v1/compliance/rules/{site}", json=RULES, headers=outsider)
        assert put.status_code == 404
        listed = await api.client.get("/v1/compliance/rules", headers=outsider)
        assert listed.json() == []


class TestCredentials:
    async def test_saved_keys_are_validated_against_metrc_and_shown_only_as_hints(
        self, compliance_api
    ):
        api = compliance_api
        saved = await api.client.put(
            f"/v1/compliance/credentials/{LICENSE}", json=KEYS, headers=api.officer
        )
        assert saved.status_code == 200, saved.text
        body = saved.json()
        assert body["status"] == "VALID"
        assert body["validatedAt"] is not None
        assert body["vendorKeyHint"] == "…" + VENDOR_KEY[-4:]
        assert body["userKeyHint"] == "…" + USER_KEY[-4:]
        assert body["notifyEmails"] == ["compliance@example.com"]
        assert "vendorKey" not in body
        assert "userKey" not in body
        _no_key_in(saved.text)
        for path in (f"/v1/compliance/credentials/{LICENSE}", "/v1/compliance/credentials"):
            shown = await api.client.get(path, headers=api.officer)
            assert shown.status_code == 200
            _no_key_in(shown.text)
        record = api.h.db.credentials[LICENSE]
        assert VENDOR_KEY.encode() not in record.vendor_key.blob

    async def test_no_span_of_the_api_carries_a_key(self, compliance_api):
        api = compliance_api
        for keys in (KEYS, {**KEYS, "vendorKey": "has spaces " + VENDOR_KEY}):
            await api.client.put(
                f"/v1/compliance/credentials/{LICENSE}", json=keys, headers=api.officer
            )
        await api.client.post(f"/v1/compliance/credentials/{LICENSE}/validate", headers=api.officer)
        spans = api.spans.get_finished_spans()
        assert spans
        for span in spans:
            text = " ".join(
                [span.name, repr(dict(span.attributes or {}))]
                + [f"{e.name} {dict(e.attributes or {})}" for e in span.events]
            )
            _no_key_in(text)

    async def test_keys_metrc_refuses_are_kept_invalid_with_the_reason_and_a_notification(
        self, compliance_api
    ):
        api = compliance_api
        wrong = {**KEYS, "userKey": "USER-KEY-0000000000000000"}
        saved = await api.client.put(
            f"/v1/compliance/credentials/{LICENSE}", json=wrong, headers=api.officer
        )
        assert saved.status_code == 200
        assert saved.json()["status"] == "INVALID"
        assert saved.json()["validationMessage"]
        feed = await api.client.get("/v1/compliance/notifications", headers=api.officer)
        assert "KEY_INVALID" in {n["kind"] for n in feed.json()}

    async def test_validating_on_demand_records_the_result_and_its_time(self, compliance_api):
        api = compliance_api
        await api.h.save_keys()
        first = api.h.db.credentials[LICENSE].validated_at
        api.h.clock.advance(__import__("datetime").timedelta(hours=1))
        answer = await api.client.post(
            f"/v1/compliance/credentials/{LICENSE}/validate", headers=api.officer
        )
        assert answer.status_code == 200
        assert answer.json()["status"] == "VALID"
        assert api.h.db.credentials[LICENSE].validated_at > first
        unknown = await api.client.post(
            "/v1/compliance/credentials/NO-SUCH-LICENSE/validate", headers=api.officer
        )
        assert unknown.status_code == 404
        assert unknown.json()["error"]["code"] == "CREDENTIALS_NOT_FOUND"

    async def test_malformed_keys_are_refused_with_the_fields_and_nothing_is_stored(
        self, compliance_api
    ):
        api = compliance_api
        bad = {**KEYS, "vendorKey": "has spaces in it", "notifyEmails": ["not-an-address"]}
        answer = await api.client.put(
            f"/v1/compliance/credentials/{LICENSE}", json=bad, headers=api.officer
        )
        assert answer.status_code == 422
        assert answer.json()["error"]["code"] == "INVALID_CREDENTIALS"
        assert {f["field"] for f in answer.json()["error"]["details"]["fields"]} == {
            "vendor_key",
            "notify_emails",
        }
        assert "has spaces" not in answer.text
        assert LICENSE not in api.h.db.credentials
        missing = await api.client.get(f"/v1/compliance/credentials/{LICENSE}", headers=api.officer)
        assert missing.status_code == 404

    async def test_a_key_sent_as_a_number_or_an_unknown_field_is_refused_without_echoing_it(
        self, compliance_api
    ):
        api = compliance_api
        for body in ({**KEYS, "vendorKey": 12345678901234567}, {**KEYS, "apiKey": "x"}):
            answer = await api.client.put(
                f"/v1/compliance/credentials/{LICENSE}", json=body, headers=api.officer
            )
            assert answer.status_code == 422
            assert answer.json()["error"]["code"] == "VALIDATION_ERROR"
            _no_key_in(answer.text)

    async def test_rotation_reseals_every_key_under_the_current_encryption_key(
        self, compliance_api
    ):
        from compliance.adapters.credentials_crypto import CredentialCipher

        api = compliance_api
        await api.h.save_keys()
        old = api.h.db.credentials[LICENSE].user_key
        api.h.ctx.cipher = CredentialCipher(
            {"test-2": bytes(range(1, 33)), "test-1": bytes(range(32))}, current="test-2"
        )
        answer = await api.client.post("/v1/compliance/credentials/rotate", headers=api.officer)
        assert answer.status_code == 200
        assert answer.json() == {"resealed": 1}
        assert api.h.db.credentials[LICENSE].user_key.key_id == "test-2"
        assert api.h.db.credentials[LICENSE].user_key != old
        again = await api.client.post("/v1/compliance/credentials/rotate", headers=api.officer)
        assert again.json() == {"resealed": 0}


class TestPermissions:
    async def test_settings_need_compliance_manage_and_an_identity_from_the_gateway(
        self, compliance_api
    ):
        api = compliance_api
        syncer = api.caller("compliance:sync", "inventory:read")
        for method, path in (
            ("GET", "/v1/compliance/rules"),
            ("PUT", f"/v1/compliance/rules/{uuid4()}"),
            ("GET", "/v1/compliance/credentials"),
            ("PUT", f"/v1/compliance/credentials/{LICENSE}"),
            ("POST", f"/v1/compliance/credentials/{LICENSE}/validate"),
            ("POST", "/v1/compliance/credentials/rotate"),
        ):
            body = RULES if "rules/" in path else KEYS if method == "PUT" else None
            refused = await api.client.request(method, path, json=body, headers=syncer)
            assert refused.status_code == 403, (method, path)
            assert refused.json()["error"]["code"] == "PERMISSION_DENIED"
            anonymous = await api.client.request(method, path, json=body)
            assert anonymous.status_code == 401, (method, path)
        assert LICENSE not in api.h.db.credentials

    async def test_a_body_that_is_not_json_is_refused_with_the_one_error_body(self, compliance_api):
        api = compliance_api
        answer = await api.client.put(
            f"/v1/compliance/credentials/{LICENSE}",
            content=b'{"state": "CO", ',
            headers={**api.officer, "Content-Type": "application/json"},
        )
        assert answer.status_code == 400
        assert answer.json()["error"]["code"] == "MALFORMED_JSON"
