"""Hostile requests for the URL-map fuzz test: read a page's forms, then make bad variants of what it would send.

Every request body is built here as raw bytes, so a variant can carry what a browser never would: invalid UTF-8,
lone surrogates, NUL in a file name, a field sent twice. Each `Attempt` has a label that says what it tried, such as
`field name: bidi override`, so a failure names its variant.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import quote, quote_from_bytes, urljoin, urlsplit

import jwt
from bs4 import BeautifulSoup, Tag

Value = str | bytes  # bytes are sent exactly as they are, percent-encoded: invalid UTF-8 stays invalid
Pairs = list[tuple[str, Value]]

# Set to 1 for every hostile value in every field; by default each kind of value goes into one field, chosen by a
# random generator seeded with the endpoint's name, so a run is the same every time and stays quick.
FUZZ_ALL = os.environ.get("SKILLPATH_FUZZ_ALL") == "1"

BUTTON_TYPES = {"submit", "image"}
TEXT_KINDS = {"text", "textarea", "password", "email", "search", "tel", "url", "number", "hidden"}
CHOICE_KINDS = {"radio", "select", "checkbox"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%fuzz\n"


@dataclass(frozen=True)
class FormField:
    name: str
    kind: str  # an <input> type, or "textarea", "select", "date" (the GOV.UK day, month and year boxes)
    value: str = ""
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class FoundForm:
    action: str  # the path the form sends to
    method: str
    multipart: bool
    fields: tuple[FormField, ...]

    @property
    def inputs(self) -> list[FormField]:
        return [f for f in self.fields if f.kind not in BUTTON_TYPES and f.name != "csrf_token"]

    @property
    def buttons(self) -> list[FormField]:
        return [f for f in self.fields if f.kind in BUTTON_TYPES and f.name]


@dataclass(frozen=True)
class Attempt:
    label: str
    method: str
    path: str
    query: bytes = b""
    body: bytes | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


# --- Reading forms --------------------------------------------------------------------------------


def parse_forms(html: str, page_path: str) -> list[FoundForm]:
    soup = BeautifulSoup(html, "html.parser")
    return [_parse_form(form, page_path) for form in soup.find_all("form")]


def _parse_form(form: Tag, page_path: str) -> FoundForm:
    action = urlsplit(urljoin(page_path, str(form.get("action") or page_path))).path
    fields: list[FormField] = []
    radios: dict[str, list[str]] = {}
    dates: dict[str, int] = {}
    for element in form.find_all(["input", "textarea", "select", "button"]):
        name = str(element.get("name") or "")
        kind = _kind(element)
        if kind == "radio":
            radios.setdefault(name, []).append(str(element.get("value") or ""))
            continue
        if kind == "text" and str(element.get("id") or "").endswith(("-day", "-month", "-year")):
            dates[name] = dates.get(name, 0) + 1
            if dates[name] == 1:
                fields.append(FormField(name, "date"))
            continue
        if kind == "button" or (kind in BUTTON_TYPES and not name):
            continue
        fields.append(FormField(name, kind, _value(element), _options(element)))
    fields += [FormField(name, "radio", values[0], tuple(values)) for name, values in radios.items()]
    return FoundForm(
        action=action,
        method=str(form.get("method") or "get").upper(),
        multipart=str(form.get("enctype") or "") == "multipart/form-data",
        fields=tuple(f for f in fields if f.name),
    )


def _kind(element: Tag) -> str:
    if element.name in ("textarea", "select"):
        return element.name
    if element.name == "button":
        return str(element.get("type") or "submit") if element.get("name") else "button"
    return str(element.get("type") or "text").lower()


def _value(element: Tag) -> str:
    if element.name == "textarea":
        return element.get_text()
    if element.name == "select":
        chosen = element.find("option", selected=True) or element.find("option")
        return str(chosen.get("value", chosen.get_text())) if chosen else ""
    return str(element.get("value") or "")


def _options(element: Tag) -> tuple[str, ...]:
    if element.name != "select":
        return ()
    return tuple(str(option.get("value", option.get_text())) for option in element.find_all("option"))


# --- What a browser would send -----------------------------------------------------------------------


def plausible(form: FoundForm, overrides: dict[str, str]) -> Pairs:
    """What a person filling the form in sensibly would send: page values, else a value that suits the field."""
    pairs: Pairs = []
    for f in form.inputs:
        if f.name in overrides:
            pairs.append((f.name, overrides[f.name]))
        elif f.kind == "date":
            pairs += [(f.name, "1"), (f.name, "6"), (f.name, str(date.today().year + 2))]  # ahead, as goals need
        elif f.kind == "file":
            continue  # sent as a file part, see `_file_attempts`
        elif f.kind == "checkbox":
            pairs.append((f.name, f.value or "y"))
        elif f.kind in ("radio", "select"):
            pairs.append((f.name, next((o for o in f.options if o), f.value)))
        else:
            pairs.append((f.name, f.value or _typical(f)))
    buttons = form.buttons
    button = next((b for b in buttons if b.name == "submit"), buttons[0] if buttons else None)
    if button is not None:
        pairs.append((button.name, button.value))
    return pairs


def _typical(f: FormField) -> str:
    name = f.name.lower()
    if "email" in name or f.kind == "email":
        return "fuzz@example.org"
    if "password" in name or name == "confirm":
        return "a long passphrase 73 fuzz"
    if "username" in name:
        return "fuzz.person"
    if name == "prison_number":
        return "A1234BC"
    if name == "code":
        return "FZZ"
    return "Fuzz value"


# --- Hostile values ----------------------------------------------------------------------------------

ONE_MB = "A" * (1024 * 1024)
TEXT_VALUES: dict[str, Value] = {
    "1 MB string": ONE_MB,
    "100 KB of accents": "é" * 50_000,
    "NUL character": "a\x00b",
    "bidi override": "\u202egnp.exe\u202c Jo",
    "zero-width and BOM prefix": "\ufeff\u200b\u200dJo",
    "lone surrogate": "\ud800x".encode("utf-8", "surrogatepass"),
    "invalid UTF-8": b"\xff\xfe\xc3(",
    "only whitespace": " \t\r\n ",
    "control characters": "\x1b[31m\x07\x08",
    "thousands of combining marks": "Z" + "\u0301" * 3000,
    "negative number": "-1",
    "huge number": "99999999999999999999",
    "huge negative number": "-99999999999999999999",
    "not a number": "NaN",
    "SQL quote": "'; DROP TABLE users; --",
}
CHOICE_VALUES: dict[str, Value] = {"unknown choice": "not-a-choice", "empty choice": ""}
DATE_VALUES: dict[str, list[str]] = {
    "31 2 2025": ["31", "2", "2025"],
    "0 0 0": ["0", "0", "0"],
    "huge day": ["99999999999999999999", "1", "2030"],
    "huge month": ["1", "99999999999999999999", "2030"],
    "huge year": ["1", "1", "99999999999999999999"],
    "negative date": ["-1", "-1", "-2030"],
    "date in words": ["first", "March", "twenty"],
    "two boxes only": ["1", "1"],
    "four boxes": ["1", "1", "2030", "1"],
}
FILE_NAMES: dict[str, str] = {
    "file name ../../x": "../../x",
    "file name with NUL": "a\x00.pdf",
    "file name CON": "CON",
    "300-character file name": "n" * 296 + ".pdf",
    "file name with bidi override": "\u202efdp.exe",
    "empty file name": "",
}
PATH_VALUES: dict[str, str] = {
    "NUL in address": "%00",
    "bidi override in address": quote("\u202eabc"),
    "zero-width in address": quote("\u200b\ufeffabc"),
    "invalid UTF-8 in address": "%ff%fe",
    "lone surrogate in address": "%ed%a0%80",
    "dot-dot in address": "..%2f..%2fetc",
    "10,000 characters in address": "x" * 10_000,
    "huge number in address": "99999999999999999999",
}


def _sample(rng: random.Random, items: Sequence[FormField]) -> list[FormField]:
    if not items:
        return []
    return list(items) if FUZZ_ALL else [rng.choice(items)]


def _with(pairs: Pairs, name: str, values: Sequence[Value]) -> Pairs:
    """The pairs with every value of `name` replaced by `values` (in the first one's place)."""
    out: Pairs = []
    placed = False
    for key, value in pairs:
        if key != name:
            out.append((key, value))
        elif not placed:
            out += [(name, v) for v in values]
            placed = True
    if not placed:
        out += [(name, v) for v in values]
    return out


def field_attempts(form: FoundForm, base: Pairs, rng: random.Random) -> Iterator[tuple[str, Pairs]]:
    """(label, pairs): one hostile value in one field, the rest as a person would send them."""
    fields = [f for f in form.inputs if f.kind != "file"]
    texts = [f for f in fields if f.kind in TEXT_KINDS] or fields
    for kind, value in TEXT_VALUES.items():
        for f in _sample(rng, [f for f in texts if f.kind != "date"] or fields):
            yield f"field {f.name}: {kind}", _with(base, f.name, [value])
    for kind, value in CHOICE_VALUES.items():
        for f in _sample(rng, [f for f in fields if f.kind in CHOICE_KINDS | {"hidden"}]):
            yield f"field {f.name}: {kind}", _with(base, f.name, [value])
    for kind, parts in DATE_VALUES.items():
        for f in [f for f in fields if f.kind == "date"]:
            yield f"field {f.name}: {kind}", _with(base, f.name, parts)
    for f in _sample(rng, fields):
        yield f"field {f.name}: sent twice", _with(base, f.name, ["first", "second"])
    for f in _sample(rng, fields):
        yield f"field {f.name}: missing", [(k, v) for k, v in base if k != f.name]


# --- Encoding ----------------------------------------------------------------------------------------


def _quote(value: Value) -> str:
    return quote_from_bytes(_raw(value), safe="")


def urlencode(pairs: Sequence[tuple[str, Value]]) -> bytes:
    return "&".join(f"{_quote(k)}={_quote(v)}" for k, v in pairs).encode("ascii")


def _raw(value: Value) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")


BOUNDARY = "fuzzBoundary7MA4YWxkTrZu0gW"


def multipart(pairs: Pairs, files: Sequence[tuple[str, str, bytes]] = ()) -> bytes:
    """A multipart body written by hand, so file names go out exactly as given (NUL, bidi and all)."""
    out = bytearray()
    for name, value in pairs:
        out += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
        out += _raw(value) + b"\r\n"
    for name, filename, content in files:
        out += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '.encode()
        out += b'filename="' + _raw(filename).replace(b'"', b"%22") + b'"\r\n'
        out += b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n"
    out += f"--{BOUNDARY}--\r\n".encode()
    return bytes(out)


MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
URLENCODED = "application/x-www-form-urlencoded"


# --- Attempts for each kind of endpoint ----------------------------------------------------------------


def form_attempts(path: str, form: FoundForm, token: str, overrides: dict[str, str], seed: str) -> Iterator[Attempt]:
    """Hostile POSTs to a form, each with a valid CSRF token unless the attempt is about the token."""
    rng = random.Random(seed)
    base = plausible(form, overrides)
    with_token: Pairs = [("csrf_token", token), *base]
    files = [f.name for f in form.inputs if f.kind == "file"]

    def post(label: str, pairs: Pairs) -> Attempt:
        if form.multipart:
            parts = [(name, "screenshot.png", PNG) for name in files]
            return Attempt(label, "POST", path, body=multipart(pairs, parts), content_type=MULTIPART)
        return Attempt(label, "POST", path, body=urlencode(pairs), content_type=URLENCODED)

    yield post("as a person would send it", with_token)
    for label, pairs in field_attempts(form, base, rng):
        yield post(label, [("csrf_token", token), *pairs])
    yield from _body_attempts(path, base, token, post)
    for name in files:
        yield from _file_attempts(path, with_token, name)


def _body_attempts(path: str, base: Pairs, token: str, post: object) -> Iterator[Attempt]:
    assert callable(post)
    header = {"X-CSRFToken": token}
    as_dict = {str(k): v.decode("utf-8", "replace") if isinstance(v, bytes) else v for k, v in base}
    yield post("every field missing", [("csrf_token", token)])
    yield post("every field sent twice", [("csrf_token", token), *base, *base])
    yield post("an unknown field with a hostile name", [("csrf_token", token), *base, ("\u202e\x00" * 50, "x")])
    yield post("2,000 fields", [("csrf_token", token), *base, *[(f"f{n}", "x") for n in range(2000)]])
    yield Attempt(
        "as JSON", "POST", path, body=json.dumps(as_dict).encode(), content_type="application/json", headers=header
    )
    yield Attempt(
        "as JSON that is not an object",
        "POST",
        path,
        body=b"[1, [2, [3]]]",
        content_type="application/json",
        headers=header,
    )
    wrong_types = {key: [{"nested": [1, None, {"x": True}]}, 1e308, -(10**20)] for key in as_dict}
    yield Attempt(
        "as JSON with values of the wrong types",
        "POST",
        path,
        body=json.dumps(wrong_types).encode(),
        content_type="application/json",
        headers=header,
    )
    hostile = [(k, f"\u202e{v}\u200b" + "é" * 2000) for k, v in as_dict.items()] + [("x\ud800", b"\xff\xfe")]
    yield Attempt(
        "a CSRF token from another session, with hostile values",
        "POST",
        path,
        body=urlencode([("csrf_token", "IjA5ZmYi.not-ours"), *hostile]),
        content_type=URLENCODED,
        headers={"Origin": "http://localhost", "Referer": f"http://localhost{path}"},
    )
    yield Attempt("as text/plain", "POST", path, body=urlencode(base), content_type="text/plain", headers=header)
    yield Attempt("no content type", "POST", path, body=urlencode(base), headers=header)
    yield Attempt(
        "multipart with no file", "POST", path, body=multipart([("csrf_token", token), *base]), content_type=MULTIPART
    )
    yield Attempt(
        "multipart with a file nobody asked for",
        "POST",
        path,
        body=multipart([("csrf_token", token), *base], [("surprise", "x.exe", b"MZ\x90\x00")]),
        content_type=MULTIPART,
    )
    yield Attempt(
        "raw invalid UTF-8 in the body",
        "POST",
        path,
        body=urlencode([("csrf_token", token), *base]) + b"&\xff\xfe=\xed\xa0\x80\xc3",
        content_type=URLENCODED,
    )
    yield Attempt(
        "multipart cut short",
        "POST",
        path,
        body=multipart([("csrf_token", token), *base])[:-20],
        content_type=MULTIPART,
    )


def _file_attempts(path: str, pairs: Pairs, name: str) -> Iterator[Attempt]:
    for label, filename in FILE_NAMES.items():
        yield Attempt(
            f"file {name}: {label}",
            "POST",
            path,
            body=multipart(pairs, [(name, filename, PDF)]),
            content_type=MULTIPART,
        )
    for label, content in {"an empty file": b"", "a program named .pdf": b"MZ\x90\x00" + b"\x00" * 60}.items():
        yield Attempt(
            f"file {name}: {label}",
            "POST",
            path,
            body=multipart(pairs, [(name, "cv.pdf", content)]),
            content_type=MULTIPART,
        )
    yield Attempt(
        f"file {name}: text instead of a file",
        "POST",
        path,
        body=multipart([*pairs, (name, "x")]),
        content_type=MULTIPART,
    )


def query_attempts(path: str, params: Sequence[str], seed: str) -> Iterator[Attempt]:
    """Hostile query strings: every kind of value in the filters or search a page reads, and unknown parameters."""
    rng = random.Random(seed)
    fields = [FormField(name, "text") for name in params]
    for kind, value in {**TEXT_VALUES, **CHOICE_VALUES}.items():
        for f in _sample(rng, fields):
            yield Attempt(f"query {f.name}: {kind}", "GET", path, query=urlencode([(f.name, value)]))
    for f in _sample(rng, fields):
        yield Attempt(f"query {f.name}: sent twice", "GET", path, query=urlencode([(f.name, "1"), (f.name, "2")]))
    if params:
        junk = [(name, value) for name in params for value in ("99999999999999999999", "\u202e")]
        yield Attempt("every query parameter, twice, hostile", "GET", path, query=urlencode(junk))
    unknown: Pairs = [("q", "\u202e\u200b" + "é" * 2000), ("page", "-99999999999999999999"), ("x\ud800", b"\xff")]
    yield Attempt("unknown query parameters, hostile", "GET", path, query=urlencode(unknown))
    yield Attempt("NUL in an unknown query parameter", "GET", path, query=b"q=a%00b")
    yield Attempt("raw invalid UTF-8 in the query", "GET", path, query=b"\xff\xfe=\xed\xa0\x80&%ff=%fe")


def path_attempts(method: str, path_for: object, names: Sequence[str]) -> Iterator[Attempt]:
    """Hostile values in the URL's own text parameters, such as a module code or a certificate code."""
    assert callable(path_for)
    for name in names:
        for label, value in PATH_VALUES.items():
            yield Attempt(f"address {name}: {label}", method, path_for(name, value))


JSON_BODIES: dict[str, tuple[bytes, str]] = {
    "not JSON": (b"this is not json", "application/json"),
    "invalid UTF-8 JSON": (b'{"credential": "\xff\xfe\xed\xa0\x80"}', "application/json"),
    "deeply nested arrays": (b"[" * 50_000, "application/json"),
    "deeply nested objects": (b'{"credential": ' * 5_000 + b"1" + b"}" * 5_000, "application/json"),
    "a huge array": (b"[" + b"0," * 500_000 + b"0]", "application/json"),
    "a number": (b"99999999999999999999", "application/json"),
    "null": (b"null", "application/json"),
    "credential is a number": (b'{"credential": 1e999}', "application/json"),
    "credential is a list": (b'{"credential": ["a.b.c"]}', "application/json"),
    "credential is an object": (b'{"credential": {"jti": "x"}}', "application/json"),
    "credential with NUL": (b'{"credential": "a\\u0000.b.c"}', "application/json"),
    "credential with a lone surrogate": (b'{"credential": "\\ud800.e30.x"}', "application/json"),
    "unsigned JWT": (b"eyJhbGciOiJub25lIn0.eyJqdGkiOiJTUC0wMDAwIn0.", "application/vc+jwt"),
    "garbage JWT": (b"a.b.c", "application/vc+jwt"),
    "1 MB body": (ONE_MB.encode(), "application/vc+jwt"),
    "form-encoded": (b"credential=a.b.c", URLENCODED),
    "multipart": (
        b"--x\r\nContent-Disposition: form-data; name=credential\r\n\r\na.b.c\r\n--x--\r\n",
        "multipart/form-data; boundary=x",
    ),
    "empty body": (b"", "application/json"),
}


def json_attempts(path: str) -> Iterator[Attempt]:
    """Hostile bodies for a JSON API endpoint."""
    for label, (body, content_type) in JSON_BODIES.items():
        yield Attempt(f"JSON API: {label}", "POST", path, body=body, content_type=content_type)


def signed_credential_attempts(path: str, credential: str, private_key: Any) -> Iterator[Attempt]:
    """Credentials signed with the issuer's own key but in shapes it never issues (an older version's, say).

    The signature is good, so these reach every check that comes after it.
    """
    payload = jwt.decode(credential, options={"verify_signature": False})
    header = jwt.get_unverified_header(credential)
    subject = payload.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    variants: dict[str, dict[str, Any]] = {
        "as issued": payload,
        "jti is a number": {**payload, "jti": 5},
        "jti is hostile text": {**payload, "jti": "\u202e../../x\u200b"},
        "no credentialSubject": {k: v for k, v in payload.items() if k != "credentialSubject"},
        "identifier is text": {**payload, "credentialSubject": {**subject, "identifier": "Jo"}},
        "identifier entries are lists": {**payload, "credentialSubject": {**subject, "identifier": [["Jo"]]}},
        "alignment entries are text": {
            **payload,
            "credentialSubject": {**subject, "achievement": {**achievement, "alignment": ["x"]}},
        },
        "issuer is text": {**payload, "issuer": "Someone else"},
        "validFrom is a number": {**payload, "validFrom": 99999999999999999999},
        "validUntil is a number": {**payload, "validUntil": -1},
        "nbf far in the future": {**payload, "nbf": 99999999999999999999},
        "nbf is text": {**payload, "nbf": "soon"},
        "expired": {**payload, "exp": 1},
    }
    for label, claims in variants.items():
        token = jwt.encode(claims, private_key, algorithm="EdDSA", headers=header)
        yield Attempt(
            f"JSON API, signed: {label}", "POST", path, body=token.encode(), content_type="application/vc+jwt"
        )
    body = json.dumps({"credential": credential}).encode()
    yield Attempt("JSON API, signed, in JSON: as issued", "POST", path, body=body, content_type="application/json")


NESTED = "(five thousand objects, one inside another)"


def credential_document_attempts(path: str, document: dict[str, Any]) -> Iterator[Attempt]:
    """A JSON-LD credential with its proof, as issued and altered: the checks on a document reach JSON-LD processing."""
    proofs = document.get("proof")
    proof = (proofs[0] if isinstance(proofs, list) and proofs else proofs) if proofs else {}
    proof = proof if isinstance(proof, dict) else {}
    subject = document.get("credentialSubject")
    variants: dict[str, Any] = {
        "as issued": document,
        "proof removed": {k: v for k, v in document.items() if k != "proof"},
        "two proofs": {**document, "proof": [proof, proof]},
        "proof value altered": {**document, "proof": {**proof, "proofValue": str(proof.get("proofValue")) + "x"}},
        "proof of a hostile suite": {**document, "proof": {**proof, "cryptosuite": "\u202e\x00", "type": 5}},
        "proof by a key elsewhere": {**document, "proof": {**proof, "verificationMethod": "https://evil.example/k#1"}},
        "@context elsewhere": {**document, "@context": ["https://evil.example/context.jsonld"]},
        "@context a number": {**document, "@context": 5},
        "credentialSubject a list": {**document, "credentialSubject": [subject, subject]},
        "type a string": {**document, "type": "VerifiableCredential"},
        "issuer a number": {**document, "issuer": 99999999999999999999},
        "id hostile": {**document, "id": "\u202e../../x\u200b"},
        "validFrom 31 February": {**document, "validFrom": "2025-02-31T00:00:00Z"},
        "validUntil year 99999": {**document, "validUntil": "99999-01-01T00:00:00Z"},
        "a deeply nested extra": {**document, "extra": NESTED},
        "a thousand extra terms": {**document, **{f"term{n}": n for n in range(1_000)}},
    }
    for label, body in variants.items():
        # Spliced in as text: json.dumps itself cannot nest that deep.
        text = json.dumps(body).replace(json.dumps(NESTED), '{"next": ' * 5_000 + "1" + "}" * 5_000)
        yield Attempt(
            f"JSON API, document: {label}", "POST", path, body=text.encode(), content_type="application/ld+json"
        )
