import shared


def test_shared_package_imports() -> None:
    assert shared.__name__ == "shared"
