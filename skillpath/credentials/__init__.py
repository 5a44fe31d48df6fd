"""Public machine endpoints for the JSON-LD credentials: their W3C Bitstring Status Lists."""
