"""Metrc API keys: sealed at rest with authenticated encryption, validated against Metrc, never
shown or logged whole, rotated to a new encryption key, watched for expiry."""

from __future__ import annotations

import base64
import logging
from datetime import timedelta

import pytest
from compliance.adapters.credentials_crypto import (
    CredentialCipher,
    InvalidKeyringError,
    generate_key,
)
from compliance.adapters.metrc import MetrcTransientError
from compliance.config import DEV_CREDENTIAL_KEYS, ComplianceSettings
from compliance.domain import KeyStatus, NotificationKind, OpeningBalance, SealedSecret, SyncStatus
from compliance.service_layer import (
    InvalidCredentialsError,
    MetrcUnavailableError,
    NotFoundError,
    SaveCredentials,
    ValidateCredentials,
)
from compliance.service_layer.ports import SecretUnreadableError
from compliance.testing import LICENSE, USER_KEY, VENDOR_KEY, ComplianceHarness
from pydantic import SecretStr, ValidationError

KEY_A = bytes(range(32))
KEY_B = bytes(range(32, 64))


class TestCipher:
    def test_a_sealed_secret_opens_only_in_its_own_context(self) -> None:
        cipher = CredentialCipher({"a": KEY_A}, current="a")
        sealed = cipher.seal(SecretStr(USER_KEY), context="metrc:L1:user_key")
        assert cipher.open(sealed, context="metrc:L1:user_key").get_secret_value() == USER_KEY
        with pytest.raises(SecretUnreadableError):
            cipher.open(sealed, context="metrc:L2:user_key")  # copied onto another license
        with pytest.raises(SecretUnreadableError):
            cipher.open(sealed, context="metrc:L1:vendor_key")  # swapped fields

    def test_the_same_secret_seals_differently_every_time(self) -> None:
        cipher = CredentialCipher({"a": KEY_A}, current="a")
        first = cipher.seal(SecretStr(USER_KEY), context="c")
        second = cipher.seal(SecretStr(USER_KEY), context="c")
        assert first.blob != second.blob
        assert USER_KEY.encode() not in first.blob

    @pytest.mark.parametrize("position", [0, 11, 12, 20, -1])
    def test_any_changed_byte_is_detected(self, position: int) -> None:
        cipher = CredentialCipher({"a": KEY_A}, current="a")
        sealed = cipher.seal(SecretStr(USER_KEY), context="c")
        blob = bytearray(sealed.blob)
        blob[position] ^= 0x01
        with pytest.raises(SecretUnreadableError):
            cipher.open(SealedSecret(sealed.key_id, bytes(blob)), context="c")

    def test_a_truncated_secret_is_refused(self) -> None:
        cipher = CredentialCipher({"a": KEY_A}, current="a")
        with pytest.raises(SecretUnreadableError):
            cipher.open(SealedSecret("a", b"short"), context="c")

    def test_the_wrong_key_or_an_unknown_key_id_cannot_open_it(self) -> None:
        sealed = CredentialCipher({"a": KEY_A}, current="a").seal(SecretStr(USER_KEY), context="c")
        with pytest.raises(SecretUnreadableError):
            CredentialCipher({"a": KEY_B}, current="a").open(sealed, context="c")
        with pytest.raises(SecretUnreadableError):
            CredentialCipher({"b": KEY_B}, current="b").open(sealed, context="c")

    def test_rotation_reads_old_keys_and_writes_with_the_current_one(self) -> None:
        old = CredentialCipher({"a": KEY_A}, current="a")
        sealed = old.seal(SecretStr(USER_KEY), context="c")
        rotated = CredentialCipher({"b": KEY_B, "a": KEY_A}, current="b")
        assert rotated.needs_reseal(sealed)
        resealed = rotated.seal(rotated.open(sealed, context="c"), context="c")
        assert resealed.key_id == "b"
        assert not rotated.needs_reseal(resealed)
        assert (
            CredentialCipher({"b": KEY_B}, current="b")
            .open(resealed, context="c")
            .get_secret_value()
            == USER_KEY
        )

    def test_the_keyring_comes_from_settings_current_key_first(self) -> None:
        new, old = generate_key(), base64.b64encode(KEY_A).decode()
        cipher = CredentialCipher.from_keyring(SecretStr(f"k2:{new}, k1:{old}"))
        assert cipher.current_key_id == "k2"
        sealed = CredentialCipher({"k1": KEY_A}, current="k1").seal(SecretStr("x"), context="c")
        assert cipher.open(sealed, context="c").get_secret_value() == "x"

    @pytest.mark.parametrize(
        "keyring",
        [
            "",
            "no-colon",
            "k1:not*base64",
            f"k1:{base64.b64encode(b'short').decode()}",
            f"k1:{base64.b64encode(KEY_A).decode()},k1:{base64.b64encode(KEY_B).decode()}",
            f"bad id:{base64.b64encode(KEY_A).decode()}",
        ],
    )
    def test_a_malformed_keyring_is_refused_without_echoing_key_material(
        self, keyring: str
    ) -> None:
        with pytest.raises(InvalidKeyringError) as raised:
            CredentialCipher.from_keyring(SecretStr(keyring))
        for material in (
            base64.b64encode(KEY_A).decode(),
            base64.b64encode(KEY_B).decode(),
            "not*base64",
        ):
            assert material not in str(raised.value)

    def test_no_key_appears_in_a_repr(self) -> None:
        cipher = CredentialCipher({"a": KEY_A}, current="a")
        sealed = cipher.seal(SecretStr(USER_KEY), context="c")
        assert repr(cipher) == "CredentialCipher(current='a', keys=1)"
        assert base64.b64encode(sealed.blob).decode() not in repr(sealed)
        assert SealedSecret.from_text(sealed.to_text()) == sealed

    def test_the_development_keyring_is_refused_in_production(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        assert (
            CredentialCipher.from_keyring(SecretStr(DEV_CREDENTIAL_KEYS)).current_key_id
            == "canopy-dev-key"
        )
        monkeypatch.setenv("CANOPY_ENV", "production")
        monkeypatch.setenv(
            "COMPLIANCE_DATABASE_URL", "postgresql+asyncpg://c:real-secret@db/compliance"
        )
        with pytest.raises(ValidationError, match="credential_keys"):
            ComplianceSettings()
        monkeypatch.setenv("COMPLIANCE_CREDENTIAL_KEYS", f"prod-1:{generate_key()}")
        assert ComplianceSettings().credential_keys.get_secret_value().startswith("prod-1:")


class TestSavingAndValidating:
    async def test_keys_are_stored_sealed_validated_and_shown_only_as_hints(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        h = ComplianceHarness()
        await h.save_keys()
        view = await h.credentials.get(LICENSE)
        assert (view.status, view.vendor_key_hint, view.user_key_hint) == (
            KeyStatus.VALID,
            "…b204",
            "…427e",
        )
        stored = h.db.credentials[LICENSE]
        everything = (
            repr(stored) + repr(view) + repr(h.db.sync_log) + repr(h.db.events) + caplog.text
        )
        for key in (VENDOR_KEY, USER_KEY):
            assert key not in everything
            assert key.encode() not in stored.vendor_key.blob + stored.user_key.blob
        assert h.db.sync_log[-1].operation == "credentials.validate"
        assert h.db.sync_log[-1].status is SyncStatus.SUCCESS
        assert view.expires_at == view.saved_at + timedelta(days=365)

    async def test_keys_metrc_refuses_are_marked_invalid_and_the_team_is_told(self) -> None:
        h = ComplianceHarness()
        await h.save_keys(user="USER-KEY-that-metrc-does-not-know")
        view = await h.credentials.get(LICENSE)
        assert view.status is KeyStatus.INVALID
        assert view.validation_message == f"These keys do not give access to facility {LICENSE}."
        (note,) = [n for n in h.db.notifications.values() if n.kind is NotificationKind.KEY_INVALID]
        assert "Validate next to the key" in note.guidance
        await h.save_keys()
        assert (await h.credentials.get(LICENSE)).status is KeyStatus.VALID
        assert h.db.notifications[note.id].resolved_at is not None

    async def test_validating_while_metrc_is_down_changes_nothing(self) -> None:
        h = ComplianceHarness()
        await h.save_keys()

        async def down() -> None:
            raise MetrcTransientError("503", status_code=503)

        h.fake.list_facilities = down  # type: ignore[method-assign,assignment]
        with pytest.raises(MetrcUnavailableError):
            await h.credentials.validate(ValidateCredentials(license_number=LICENSE, actor="qa"))
        assert (await h.credentials.get(LICENSE)).status is KeyStatus.VALID
        assert h.db.sync_log[-1].status is SyncStatus.FAILED

    async def test_malformed_keys_are_refused_with_every_field_named(self) -> None:
        h = ComplianceHarness()
        with pytest.raises(InvalidCredentialsError) as raised:
            await h.credentials.save(
                SaveCredentials(
                    license_number=" ", state="Colorado", vendor_key=SecretStr(""), user_key=SecretStr("has space"),
                    actor="qa", notify_emails=("not-an-email",),
                )
            )  # fmt: skip
        assert [f["field"] for f in raised.value.details["fields"]] == [
            "license_number",
            "state",
            "vendor_key",
            "user_key",
            "notify_emails",
        ]
        assert "has space" not in repr(raised.value.details)

    async def test_validating_a_license_without_keys_is_a_clear_error(self) -> None:
        with pytest.raises(NotFoundError) as raised:
            await ComplianceHarness().credentials.validate(
                ValidateCredentials(license_number=LICENSE, actor="qa")
            )
        assert raised.value.code == "CREDENTIALS_NOT_FOUND"


class TestRotationAndExpiry:
    async def test_rotation_reseals_every_key_under_the_current_encryption_key(self) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        h.ctx.cipher = CredentialCipher(
            {"test-2": KEY_B, "test-1": bytes(range(32))}, current="test-2"
        )
        assert await h.credentials.rotate() == 1
        assert await h.credentials.rotate() == 0
        h.ctx.cipher = CredentialCipher({"test-2": KEY_B}, current="test-2")  # the old key is gone
        assert h.db.credentials[LICENSE].user_key.key_id == "test-2"
        view = await h.credentials.validate(ValidateCredentials(license_number=LICENSE, actor="qa"))
        assert view.status is KeyStatus.VALID

    async def test_keys_that_cannot_be_decrypted_stop_the_license_with_guidance(self) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        h.ctx.cipher = CredentialCipher({"other": KEY_B}, current="other")
        await h.record(h.batch(tag=h.tags[0], source=OpeningBalance()).created("1"))
        report = await h.pusher.push_due()
        assert "cannot be decrypted" in report.skipped[LICENSE].message
        assert h.fake.writes == []
        (note,) = [n for n in h.db.notifications.values() if n.kind is NotificationKind.KEY_INVALID]
        assert "re-enter them" in note.message

    async def test_a_key_close_to_expiry_raises_one_warning(self) -> None:
        h = ComplianceHarness()
        await h.save_keys()
        assert await h.credentials.warn_expiring() == 0
        h.clock.advance(timedelta(days=340))
        assert await h.credentials.warn_expiring() == 1
        assert await h.credentials.warn_expiring() == 0
        (note,) = [
            n for n in h.db.notifications.values() if n.kind is NotificationKind.KEY_EXPIRING
        ]
        assert "…427e" in note.message
        assert USER_KEY not in note.message
