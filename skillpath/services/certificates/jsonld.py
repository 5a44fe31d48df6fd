"""JSON-LD processing with the contexts shipped inside SkillPath, and nothing else.

Every JSON-LD context a credential may name is a file in skillpath/data/contexts
(copied from the npm packages that carry the official documents; see NOTICE.md
there). The document loader serves those files and refuses every other URL:
SkillPath never fetches a context from the network, so what a credential means
cannot change under it, and a hostile file cannot make it call anywhere.

Processing is "safe" in the sense jsonld.js gives the word: a term the contexts
do not define, or an identifier that is not an absolute IRI, would silently drop
out of the RDF that a signature covers, so it is refused instead. Canonicalisation
is pyld's RDFC-1.0 (URDNA2015), with a bound on the work a crafted graph of
look-alike blank nodes can cause.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from pyld import jsonld
from pyld.canon import URDNA2015

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_V3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# URL -> the file that holds it, in skillpath/data/contexts.
SHIPPED_CONTEXTS = {
    VC_V2_CONTEXT: "credentials-v2.jsonld",
    OB_V3_CONTEXT: "ob-context-3.0.3.json",
}
CONTEXT_MEDIA_TYPE = "application/ld+json"
# Calls of RDFC-1.0's "hash N-degree quads" allowed for one document. A SkillPath credential needs
# a few dozen; a "poison" graph built to make canonicalisation run for hours needs millions.
MAX_DEEP_HASHES = 2000


class JsonLdRefused(ValueError):
    """The document cannot be processed safely; the message says why, in plain English."""


class UnknownContext(JsonLdRefused):
    def __init__(self, url: object) -> None:
        shown = url if isinstance(url, str) and len(url) <= 200 else "a context"
        super().__init__(f"It uses a JSON-LD context this service does not know ({shown}).")
        self.url = url


@cache
def context_document(url: str) -> dict[str, Any]:
    """The parsed context file for a shipped URL (read once per process)."""
    name = SHIPPED_CONTEXTS[url]
    text = resources.files("skillpath.data").joinpath("contexts", name).read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld's document loader: the shipped contexts only, never the network."""
    if url not in SHIPPED_CONTEXTS:
        raise UnknownContext(url)
    return {
        "contentType": CONTEXT_MEDIA_TYPE,
        "contextUrl": None,
        "documentUrl": url,
        "document": context_document(url),
    }


def _refusal(error: BaseException) -> JsonLdRefused | None:
    """Our own refusal, if it is what made pyld fail (pyld wraps a loader's errors in its own)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, JsonLdRefused):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _is_absolute(value: object) -> bool:
    # An IRI has a scheme ("https:", "urn:", "did:"); "_:" names a blank node. Anything else is relative.
    if not isinstance(value, str) or ":" not in value:
        return False
    scheme = value.split(":", 1)[0]
    return value.startswith("_:") or (scheme[:1].isalpha() and all(c.isalnum() or c in "+-." for c in scheme))


def _check_identifiers(expanded: object) -> None:
    """Refuse relative identifiers and types: toRdf drops them, so a signature would not cover them."""
    stack = [expanded]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            for key, value in item.items():
                if key == "@id" and not _is_absolute(value):
                    raise JsonLdRefused("It has an identifier that is not a full address (a relative IRI).")
                if key == "@type" and "@value" not in item:
                    types = value if isinstance(value, list) else [value]
                    if not all(_is_absolute(t) for t in types):
                        raise JsonLdRefused("It has a type that its contexts do not define.")
                if key != "@value":
                    stack.append(value)


class _SafeProcessor(jsonld.JsonLdProcessor):
    """pyld's processor, refusing what it would otherwise drop."""

    def __init__(self) -> None:
        super().__init__(on_property_dropped=self._dropped)

    @staticmethod
    def _dropped(term: str | None) -> None:
        shown = f"“{term}”" if isinstance(term, str) and len(term) <= 80 else "a term"
        raise JsonLdRefused(f"It uses {shown}, which its JSON-LD contexts do not define.")

    def expand(self, input_: Any, options: dict[str, Any]) -> Any:
        expanded = super().expand(input_, options)
        _check_identifiers(expanded)
        return expanded


class _BoundedURDNA2015(URDNA2015):
    """pyld's RDFC-1.0, stopped when a graph asks for far more work than any credential needs."""

    def __init__(self) -> None:
        super().__init__()
        self._deep_hashes = 0

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        self._deep_hashes += 1
        if self._deep_hashes > MAX_DEEP_HASHES:
            raise JsonLdRefused("It is built to make checking it take too long.")
        return super().hash_n_degree_quads(id_, issuer)


def _options() -> dict[str, Any]:
    # No base: a relative IRI stays relative (and is refused) rather than resolved against a made-up address.
    return {"documentLoader": document_loader, "base": None}


def expand(document: dict[str, Any]) -> list[Any]:
    """The document expanded with the shipped contexts, refusing anything that would be dropped."""
    try:
        expanded: list[Any] = _SafeProcessor().expand(document, _options())
    except (jsonld.JsonLdError, RecursionError, TypeError, ValueError, KeyError) as error:
        raise _refusal(error) or JsonLdRefused("It is not valid JSON-LD.") from error
    return expanded


def canonize(document: dict[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads of the document (pyld's URDNA2015), in safe mode."""
    try:
        dataset = _SafeProcessor().to_rdf(document, _options())
        nquads: str = _BoundedURDNA2015().main(dataset, {"format": "application/n-quads"})
    except (jsonld.JsonLdError, RecursionError, TypeError, ValueError, KeyError) as error:
        raise _refusal(error) or JsonLdRefused("It is not valid JSON-LD.") from error
    return nquads
