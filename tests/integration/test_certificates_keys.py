"""`flask keys generate | rotate | list`, and the published JWKS."""

from __future__ import annotations

import stat

import pytest

from skillpath.services.certificates.es256_keys import Es256KeyStore
from skillpath.services.certificates.signing import KeyStore


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
    store, es256 = KeyStore(keys_folder), Es256KeyStore(keys_folder)
    kid, es256_kid = store.current_kid(), es256.current_kid()
    assert kid is not None and f"Made a new Ed25519 signing key in {keys_folder} (key id {kid})" in output
    assert es256_kid is not None and f"Made a new ES256 signing key in {keys_folder} (key id {es256_kid})" in output
    assert stat.S_IMODE((keys_folder / f"{kid}.pem").stat().st_mode) == 0o600
    assert stat.S_IMODE((keys_folder / f"es256-{es256_kid}.pem").stat().st_mode) == 0o600

    again = _run(app, "generate")
    assert again.count("already exists") == 2 and "Nothing was changed" in again
    assert (store.current_kid(), es256.current_kid()) == (kid, es256_kid)
    assert len(list(keys_folder.glob("*.pem"))) == 2


def test_rotate_adds_a_key_lists_both_and_publishes_both(app, client, keys_folder):
    _run(app, "generate")
    first, es256_first = KeyStore(keys_folder).current_kid(), Es256KeyStore(keys_folder).current_kid()
    output = _run(app, "rotate")
    second, es256_second = KeyStore(keys_folder).current_kid(), Es256KeyStore(keys_folder).current_kid()
    assert second != first and second in output and f"Key {first} still checks" in output
    assert es256_second != es256_first and f"Key {es256_first} still checks" in output

    listing = _run(app, "list").splitlines()
    assert [line.split()[:3] for line in listing] == [
        ["older", first, "Ed25519"],
        ["current", second, "Ed25519"],
        ["older", es256_first, "ES256"],
        ["current", es256_second, "ES256"],
    ]

    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    keys = response.get_json()["keys"]
    ed25519 = [key for key in keys if key["kty"] == "OKP"]
    assert [key["kid"] for key in ed25519] == [second, first]
    assert all(key["crv"] == "Ed25519" and "d" not in key for key in ed25519)
    es256 = [key for key in keys if key["kty"] == "EC"]
    assert [key["kid"].rsplit("/", 1)[-1] for key in es256] == [es256_second, es256_first]
    assert all(key["crv"] == "P-256" and "d" not in key for key in es256)


def test_list_with_no_keys_says_what_to_run(app, keys_folder):
    assert "flask keys generate" in _run(app, "list")


def test_a_host_that_cannot_write_its_key_folder_signs_and_checks_as_any_other(
    app, client, keys_folder, monkeypatch, learner, mentor
):
    # Several hosts share one key folder, which may be mounted read-only (an orchestrator's secret, say): once
    # the keys are made, signing, checking and publishing them only reads it.
    from skillpath.services.certificates import es256_keys, signing, vc_jwt
    from tests.integration.test_certificates import issue_module_certificate

    _run(app, "generate")
    before = sorted((path.name, path.read_bytes()) for path in keys_folder.iterdir())

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError("the key folder is read-only on this host")

    monkeypatch.setattr(signing, "_write_private", refuse)
    monkeypatch.setattr(es256_keys, "_write_private", refuse)
    monkeypatch.setattr(type(keys_folder), "mkdir", refuse)
    monkeypatch.setitem(app.config, "KEYS_AUTO_GENERATE", False)  # as in production

    certificate = issue_module_certificate(learner, mentor)  # signed with the Ed25519 key
    token = vc_jwt.credential_jwt(certificate)  # and a VC-JWT with the ES256 key
    assert client.get(f"/api/verify/{certificate.display_code}").get_json()["status"] == "valid"
    checked = client.post("/api/verify", data=token, content_type="application/jwt")
    assert checked.status_code == 200 and checked.get_json()["status"] == "valid"
    assert len(client.get("/.well-known/jwks.json").get_json()["keys"]) == 2
    assert sorted((path.name, path.read_bytes()) for path in keys_folder.iterdir()) == before
