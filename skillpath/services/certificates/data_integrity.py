"""W3C Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite, as wallets and verifiers expect.

Following the cryptosuite's specification (Data Integrity EdDSA Cryptosuites v1.0, §3.2):

1. the document without its proof is canonicalised with RDFC-1.0 (pyld; see jsonld.py);
2. the proof options (the proof without proofValue, with the document's @context) likewise;
3. hashData = SHA-256(canonical proof options) || SHA-256(canonical document);
4. proofValue = multibase base58btc ('z…') of the Ed25519 signature of hashData.

The verification method is the signing key's did:key, so anyone can check a proof
with nothing but the document: the key is in its name.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from skillpath.services.certificates import jsonld, signing

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"
SIGNATURE_BYTES = 64


class ProofError(ValueError):
    """Why a proof cannot be checked or does not hold, in plain English."""


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hash_data(unsecured: dict[str, Any], proof_options: dict[str, Any]) -> bytes:
    config = {**proof_options, "@context": unsecured["@context"]}
    config_hash = hashlib.sha256(jsonld.canonize(config).encode("utf-8")).digest()
    document_hash = hashlib.sha256(jsonld.canonize(unsecured).encode("utf-8")).digest()
    return config_hash + document_hash


def add_proof(document: dict[str, Any], key: signing.IssuerKey, *, created: datetime) -> dict[str, Any]:
    """The document with an eddsa-rdfc-2022 proof made with this key (the document is not changed)."""
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": _utc(created),
        "verificationMethod": signing.verification_method(key.public_key),
        "proofPurpose": PROOF_PURPOSE,
    }
    signature = key.private_key.sign(_hash_data(unsecured, options))
    proof = {**options, "proofValue": "z" + signing.base58btc_encode(signature)}
    # A set of one proof: VC 2.0 allows an object or a set, and the Open Badges 3.0 schema requires a set.
    return {**unsecured, "proof": [proof]}


@dataclass(frozen=True)
class VerifiedProof:
    public_key: Ed25519PublicKey
    verification_method: str
    created: str | None


def proof_of(document: dict[str, Any]) -> dict[str, Any]:
    """The document's one eddsa-rdfc-2022 proof, or why there is none to check."""
    proof = document.get("proof")
    if isinstance(proof, list) and len(proof) == 1:
        proof = proof[0]
    if proof is None or proof == []:
        raise ProofError("It has no proof (no signature): it may have been copied from a page rather than downloaded.")
    if not isinstance(proof, dict):
        raise ProofError("Its proof cannot be read.")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError("It is signed in a way this service does not use (it expects eddsa-rdfc-2022).")
    if proof.get("proofPurpose") != PROOF_PURPOSE:
        raise ProofError("Its proof is not an issuer's assertion.")
    if "@context" in proof and proof["@context"] != document.get("@context"):
        raise ProofError("Its proof uses other JSON-LD contexts than the credential.")
    return proof


def verify_proof(document: dict[str, Any]) -> VerifiedProof:
    """Check the document's proof against the did:key it names; raise ProofError saying why it fails.

    Only the signature is checked here: whose key it is, and what the document
    says, are for the caller.
    """
    proof = proof_of(document)
    method = proof.get("verificationMethod")
    public_key = signing.public_key_from_did_key(method)
    if public_key is None or not isinstance(method, str) or "#" not in method:
        raise ProofError("Its proof does not name a key that can check it (a did:key).")
    signature = _signature(proof.get("proofValue"))
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    if "@context" not in unsecured:
        raise ProofError("It has no JSON-LD @context.")
    try:
        public_key.verify(signature, _hash_data(unsecured, options))
    except InvalidSignature:
        raise ProofError("The signature does not match: the credential has been changed since it was issued.") from None
    created = proof.get("created")
    return VerifiedProof(public_key, method, created if isinstance(created, str) else None)


def _signature(proof_value: object) -> bytes:
    if not isinstance(proof_value, str) or not proof_value.startswith("z") or len(proof_value) > 100:
        raise ProofError("Its signature cannot be read.")
    signature = signing.base58btc_decode(proof_value[1:])
    if signature is None or len(signature) != SIGNATURE_BYTES:
        raise ProofError("Its signature cannot be read.")
    return signature
