"""`flask keys generate | rotate | list`, and the published JWKS."""

from __future__ import annotations

import stat

import pytest

from skillpath.services.signing import KeyStore


@pytest.fixture
def keys_folder(app, tmp_path, monkeypatch):
    folder = tmp_path / "issuer-keys"
    monkeypatch.setitem(app.config, "KEYS_FOLDER", str(folder))
    return folder


def _run(app, *args: str):
    result = app.test_cli_runner().invoke(args=["keys", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_generate_makes_a_private_key_once_and_then_changes_nothing(app, keys_folder):
    output = _run(app, "generate")
    assert "Made a new signing key" in output
    store = KeyStore(keys_folder)
    kid = store.current_kid()
    assert kid is not None and kid in output
    assert stat.S_IMODE((keys_folder / f"{kid}.pem").stat().st_mode) == 0o600

    again = _run(app, "generate")
    assert "already exists" in again and "Nothing was changed" in again
    assert store.current_kid() == kid
    assert len(list(keys_folder.glob("*.pem"))) == 1


def test_rotate_adds_a_key_lists_both_and_publishes_both(app, client, keys_folder):
    _run(app, "generate")
    first = KeyStore(keys_folder).current_kid()
    output = _run(app, "rotate")
    second = KeyStore(keys_folder).current_kid()
    assert second != first and second in output and f"Key {first} still checks" in output

    listing = _run(app, "list").splitlines()
    assert [line.split()[:2] for line in listing] == [["older", first], ["current", second]]

    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.get_json()["keys"]
    assert [key["kid"] for key in keys] == [second, first]
    assert all(key["kty"] == "OKP" and key["crv"] == "Ed25519" and "d" not in key for key in keys)


def test_list_with_no_keys_says_what_to_run(app, keys_folder):
    assert "flask keys generate" in _run(app, "list")
