"""Certificates: issuing and withdrawing, signing keys, PDFs, Open Badges credentials in both proof formats,
status lists, checking uploaded credentials and share links.
"""
