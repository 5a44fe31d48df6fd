"""Certificates: issuing and withdrawing, signing keys, PDFs, Open Badges credentials in both proof formats,
status lists, checking uploaded credentials and share links.

Nothing here knows about Flask: the issuer (its name, public address and key folder) is an `issuer.Issuer`
the caller passes in, and every public address is built by `urls.PublicUrls` from the public base URL.
"""
