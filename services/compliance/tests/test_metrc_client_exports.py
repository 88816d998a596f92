"""The adapter's public surface is exactly what ``__all__`` says."""

from __future__ import annotations

import compliance.adapters.metrc as metrc
from compliance.adapters.metrc import errors


def test_every_exported_name_exists_and_every_public_module_member_is_exported() -> None:
    for name in metrc.__all__:
        assert hasattr(metrc, name), name
    public = {
        name
        for name, value in vars(metrc).items()
        if not name.startswith("_") and not isinstance(value, type(metrc))
    }
    assert public - {"TYPE_CHECKING"} == set(metrc.__all__)
    assert metrc.__all__ == sorted(metrc.__all__, key=lambda n: (n[0].islower(), n))


def test_every_error_is_exported_and_documented_in_the_tree() -> None:
    assert errors.__doc__ is not None
    for name in errors.__all__:
        assert name in metrc.__all__
        assert name in errors.__doc__
        assert issubclass(getattr(errors, name), errors.MetrcError)
    assert issubclass(errors.MetrcRateLimitedError, errors.MetrcTransientError)
    assert not issubclass(errors.MetrcUnknownOutcomeError, errors.MetrcTransientError)
    assert not issubclass(errors.MetrcRejectedError, errors.MetrcTransientError)
