"""What an employer's software learns when it checks a SkillPath credential file.

Both kinds of file end in the same answer: the JSON-LD credential with an embedded
Data Integrity proof (for wallets), and the VC-JWT. Each checker fills in a
`CredentialCheck`; pages and the JSON API turn it into words or JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class CredentialCheck:
    """The answer to "can this file be trusted, and what does it certify?"."""

    # The signature holds, the issuer is this service, the dates are right and it has not been withdrawn.
    ok: bool
    # Plain English: why it cannot be trusted (None when ok).
    problem: str | None = None
    signature_valid: bool = False
    # True/False once the status was read; None when it could not be (the problem says why).
    withdrawn: bool | None = None
    withdrawn_at: datetime | None = None
    # What it certifies, as the employer may see it: recipient name, achievement, skills, issued date, issuer.
    certifies: dict[str, Any] | None = None
    # The certificate's display code, when the credential is one of ours.
    code: str | None = None
