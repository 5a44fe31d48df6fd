"""Issuing, checking, withdrawing and hiding certificates.

A certificate's content is fixed when it is issued: the name the learner chose,
the achievement and what it shows the person can do, the skills and levels (or,
for Essential Digital Skills, the areas), the issuing organisation and the date.
That content, in a canonical JSON form, is signed with the issuer's current
Ed25519 key. Checking a certificate recomputes the canonical form from the
stored row and verifies the signature with the key it names, so an edit to the
database (or a forged PDF that does not match the page) shows.

Public codes look like SP-7Q4K-29XD-M3HW: 11 random characters from Crockford's
base-32 alphabet (55 bits) and a Luhn mod 32 check character. Nothing here ever
reads the establishment, the prison number or any custody date.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.exc import DBAPIError

from skillpath.extensions import db, public_reads_engine
from skillpath.i18n import _, _l
from skillpath.models import Certificate, Enrolment, Module, RoleLevel, SkillLevel, User
from skillpath.models._types import utcnow
from skillpath.models.audit import AuditAction
from skillpath.models.certificates import CertificateKind
from skillpath.models.users import NAME_MAX
from skillpath.services.access import can_manage_learner
from skillpath.services.audit.audit import record_event
from skillpath.services.catalogue.catalogue_data import can_do_statements
from skillpath.services.certificates import signing, status_lists
from skillpath.services.certificates.issuer import Issuer, current_issuer
from skillpath.services.errors import Conflict, InvalidInput, NotAllowed
from skillpath.services.locking import lock_learner
from skillpath.services.readiness.readiness import Band
from skillpath.text import clean_text

# --- Codes -------------------------------------------------------------------------------------

# Crockford's base 32: digits and upper-case letters without I, L, O and U.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 11  # 11 x 5 bits = 55 bits of randomness
CODE_LENGTH = RANDOM_LENGTH + 1
CODE_PREFIX = "SP"
CODE_EXAMPLE = "SP-7Q4K-29XD-M3HW"
ENTER_THE_CODE = _l("Enter the certificate code")
WHOLE_CODE = _l("Enter the whole code: SP and then 12 letters and numbers, such as %(example)s", example=CODE_EXAMPLE)
_INDEX = {character: index for index, character in enumerate(ALPHABET)}
# People read O as zero and I or L as one; typing them is not a mistake.
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Spaces, hyphens of every kind, dots and underscores people type between groups.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212._]+")


def _luhn_sum(body: str, *, double_first: bool) -> int:
    """Luhn mod 32 over the alphabet, from the right: every second value doubled and folded."""
    total, double = 0, double_first
    for character in reversed(body):
        value = _INDEX[character] * (2 if double else 1)
        total += value // len(ALPHABET) + value % len(ALPHABET)
        double = not double
    return total


def check_character(body: str) -> str:
    """The check character for 11 code characters: catches any one wrong character and most swaps."""
    return ALPHABET[-_luhn_sum(body, double_first=True) % len(ALPHABET)]


def new_code() -> str:
    """A fresh code body (12 characters, no prefix or hyphens), as stored."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + check_character(body)


def _compact(text: str) -> str:
    """The typed code without separators or the SP prefix, upper case, with O, I and L read as 0, 1 and 1."""
    compact = _SEPARATORS.sub("", text.upper())
    if len(compact) == CODE_LENGTH + len(CODE_PREFIX) and compact.startswith(CODE_PREFIX):
        compact = compact[len(CODE_PREFIX) :]
    return compact.translate(_LOOK_ALIKES)


def normalise_code(text: str | None) -> str | None:
    """The stored form of a typed code, or None if it cannot be one of ours.

    Lower case, spaces, missing or extra hyphens and the SP prefix are all
    accepted; O, I and L are read as 0, 1 and 1. A wrong check character gives
    None, so the caller never looks it up.
    """
    if not text:
        return None
    compact = _compact(text)
    if len(compact) != CODE_LENGTH or any(character not in _INDEX for character in compact):
        return None
    if _luhn_sum(compact, double_first=False) % len(ALPHABET) != 0:
        return None
    return compact


# Characters of the alphabet that people misread or mistype for one another, in print or handwriting.
# O, I and L need no mention: they are read as 0, 1 and 1 (and U is never used, so it is named on its own).
_MIXED_UP = (("0", "D"), ("2", "Z"), ("5", "S"), ("6", "G"), ("8", "B"), ("M", "N"), ("V", "Y"))


def code_mistake(text: str | None) -> str:
    """What is wrong with a typed code that `normalise_code` refused, in words for the person typing it.

    A code of the right length whose check character fails has a typing mistake: the message names
    the characters in it that are easy to mix up. Nothing here looks anything up, so it says nothing
    about which certificates exist.
    """
    compact = _compact(text or "")
    if not compact:
        return str(ENTER_THE_CODE)
    if len(compact) != CODE_LENGTH:
        return str(WHOLE_CODE)
    unknown = {character for character in compact if character not in _INDEX}
    if unknown == {"U"}:
        return _("The code has a typing mistake: certificate codes never use the letter U. It may be a V")
    if unknown:
        return _("The code has a typing mistake: certificate codes have only letters and numbers")
    pairs = [_("%(a)s and %(b)s", a=a, b=b) for a, b in _MIXED_UP if a in compact or b in compact]
    if not pairs:
        return _(
            "The code has a typing mistake. Check each character against the certificate, and that no two are swapped"
        )
    return _(
        "The code has a typing mistake. Check it against the certificate: %(pairs)s are easy to mix up",
        pairs=", ".join(pairs),
    )


def format_code(body: str) -> str:
    """The code as printed and shown, such as SP-7Q4K-29XD-M3HW."""
    return CODE_PREFIX + "-" + "-".join(body[i : i + 4] for i in range(0, len(body), 4))


# --- Content -----------------------------------------------------------------------------------

CONTENT_FORMAT = "skillpath-certificate/1"
# The format of content that lists Essential Digital Skills areas. Content without areas keeps format 1,
# byte for byte, so every certificate issued before areas were signed still verifies.
CONTENT_FORMAT_WITH_AREAS = "skillpath-certificate/2"
# How an Essential Digital Skills area is kept among a certificate's stored skills: {"skill": name, "framework": ...}.
# It has no level: the framework has none.
ESSENTIAL_DIGITAL_SKILLS = "essential-digital-skills"


@dataclass(frozen=True)
class CertifiedSkill:
    skill: str
    level: str

    @property
    def level_label(self) -> str:
        try:
            return SkillLevel(self.level).label
        except ValueError:
            return self.level.capitalize()


@dataclass(frozen=True)
class CertificateContent:
    """Exactly what an employer is shown, and exactly what is signed. Nothing about custody."""

    code: str  # display form, such as SP-7Q4K-29XD-M3HW
    recipient_name: str
    achievement_name: str
    achievement_description: str
    skills: tuple[CertifiedSkill, ...]
    issuer_name: str
    issued_at: datetime
    # Essential Digital Skills areas the achievement shows, such as "Communicating" (none on older certificates).
    areas: tuple[str, ...] = ()

    def canonical(self) -> dict[str, Any]:
        signed: dict[str, Any] = {
            "format": CONTENT_FORMAT_WITH_AREAS if self.areas else CONTENT_FORMAT,
            "code": self.code,
            "recipient": self.recipient_name,
            "achievement": {"name": self.achievement_name, "description": self.achievement_description},
            "skills": [{"skill": s.skill, "level": s.level} for s in self.skills],
            "issuer": self.issuer_name,
            "issued_at": iso_utc(self.issued_at),
        }
        if self.areas:
            signed["areas"] = list(self.areas)
        return signed

    def canonical_bytes(self) -> bytes:
        return signing.canonical_json(self.canonical())


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _is_area(item: dict[str, Any]) -> bool:
    return item.get("framework") == ESSENTIAL_DIGITAL_SKILLS


def content_of(certificate: Certificate | CheckedCertificate) -> CertificateContent:
    return CertificateContent(
        code=format_code(certificate.code),
        recipient_name=certificate.recipient_name,
        achievement_name=certificate.achievement_name,
        achievement_description=certificate.achievement_description,
        skills=tuple(
            CertifiedSkill(str(item["skill"]), str(item["level"])) for item in certificate.skills if not _is_area(item)
        ),
        issuer_name=certificate.issuer_name,
        issued_at=certificate.issued_at,
        areas=tuple(str(item["skill"]) for item in certificate.skills if _is_area(item)),
    )


def has_valid_signature(
    certificate: Certificate | CheckedCertificate, keys: signing.KeyStore, content: CertificateContent | None = None
) -> bool:
    """True when the stored signature matches the stored content, under a key this issuer holds."""
    if not certificate.key_id or not certificate.signature:
        return False
    public_key = keys.public_key(certificate.key_id)
    if public_key is None:
        return False
    content = content or content_of(certificate)
    return signing.verify_signature(content.canonical_bytes(), certificate.signature, public_key)


# --- Issuing -----------------------------------------------------------------------------------


class CertificateError(InvalidInput):
    """A certificate action that cannot be done, with a message for the user."""


def clean_name(name: str) -> str:
    """One canonical spelling of a name: NFC (so "ễ" is one character), single spaces, nothing invisible."""
    return clean_text(name)


def certificate_name_for(learner: User) -> str:
    profile = learner.learner_profile
    if profile is None:
        raise CertificateError(_("Only learners receive certificates"))
    return clean_name(profile.certificate_name or profile.preferred_name)


def _unused_code() -> str:
    while True:  # a clash at 55 bits is vanishingly rare, but never issue one twice
        code = new_code()
        if db.session.scalar(select(Certificate.id).where(Certificate.code == code)) is None:
            return code


def _sorted_skills(pairs: list[tuple[str, SkillLevel]]) -> list[dict[str, str]]:
    return [{"skill": name, "level": level.value} for name, level in sorted(pairs, key=lambda p: p[0].lower())]


def _areas(module: Module) -> list[dict[str, str]]:
    """The module's Essential Digital Skills areas, in the framework's order, as stored among its skills."""
    return [{"skill": area.name, "framework": ESSENTIAL_DIGITAL_SKILLS} for area in module.essential_areas]


def module_can_do(module: Module) -> str:
    """What someone who completes the module can do, as a certificate states it (never "Learn to…").

    The catalogue files hold a "can do" statement for each of our modules; a module they do not
    describe (one made for a test, say) falls back to its summary.
    """
    return can_do_statements().get(module.code) or module.summary


def _issue(
    *,
    kind: CertificateKind,
    learner: User,
    issued_by: User | None,
    achievement_name: str,
    achievement_description: str,
    skills: list[dict[str, str]],
    issuer: Issuer,
    module_id: int | None = None,
    role_level_id: int | None = None,
    at: datetime | None = None,
) -> Certificate:
    key = issuer.signing_key()
    certificate = Certificate(
        code=_unused_code(),
        kind=kind,
        learner_id=learner.id,
        module_id=module_id,
        role_level_id=role_level_id,
        recipient_name=certificate_name_for(learner),
        achievement_name=achievement_name,
        achievement_description=achievement_description,
        skills=skills,
        issuer_name=issuer.name,
        # Whole seconds: the signed form must survive every database's timestamp precision.
        issued_at=(at or utcnow()).astimezone(UTC).replace(microsecond=0),
        issued_by_id=issued_by.id if issued_by is not None else None,  # None: a staff API client
        key_id=key.kid,
    )
    certificate.signature = signing.sign(content_of(certificate).canonical_bytes(), key)
    status_lists.place_certificate(certificate)  # its random bit in a revocation list, for verifiers
    db.session.add(certificate)
    db.session.flush()
    record_event(
        AuditAction.CERTIFICATE_ISSUED,
        actor=issued_by,
        subject=learner,
        object_type="certificate",
        object_id=certificate.public_id,
        kind=kind.value,
        achievement=achievement_name,
    )
    return certificate


def current_module_certificate(learner: User, module: Module) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(
            Certificate.learner_id == learner.id,
            Certificate.module_id == module.id,
            Certificate.kind == CertificateKind.MODULE,
            Certificate.revoked_at.is_(None),
        )
    )


def current_readiness_certificate(learner: User, role_level: RoleLevel) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(
            Certificate.learner_id == learner.id,
            Certificate.role_level_id == role_level.id,
            Certificate.kind == CertificateKind.ROLE_READINESS,
            Certificate.revoked_at.is_(None),
        )
    )


def issue_module_certificate(
    enrolment: Enrolment, *, mentor: User | None, issuer: Issuer | None = None, at: datetime | None = None
) -> Certificate:
    """The certificate for a signed-off module. Calling it again returns the one already issued.

    Part of signing a module off (in the same transaction as `progress.sign_off`). Without an `issuer`,
    the running app's (see issuer.current_issuer).
    """
    learner, module = enrolment.learner, enrolment.module
    existing = current_module_certificate(learner, module)
    if existing is not None:
        return existing
    return _issue(
        kind=CertificateKind.MODULE,
        learner=learner,
        issued_by=mentor,
        achievement_name=module.title,
        achievement_description=module_can_do(module),
        skills=_sorted_skills([(link.skill.name, link.level) for link in module.skills]) + _areas(module),
        issuer=issuer or current_issuer(),
        module_id=module.id,
        at=at,
    )


def readiness_achievement_name(role_level: RoleLevel) -> str:
    """'Ready for work as a service desk analyst'; names such as 'IT service analyst' keep their capitals."""
    name = role_level.name.strip()
    if len(name) > 1 and name[0].isupper() and name[1].islower():
        name = name[0].lower() + name[1:]
    article = "an" if name[:1].lower() in "aeiou" else "a"
    return f"Ready for work as {article} {name}"


def issue_role_readiness_certificate(
    learner: User,
    mentor: User,
    *,
    issuer: Issuer | None = None,
    readiness_settings: Mapping[str, object] | None = None,
    at: datetime | None = None,
) -> Certificate:
    """A mentor confirms that a learner in the "Ready for work" band is ready for their target job.

    Refuses (CertificateError) unless the readiness rule (READINESS_* in `readiness_settings`, else the
    rule's defaults) puts the learner in the Ready band now. Confirming again returns the certificate
    already issued. Refuses (NotAllowed) staff who cannot manage the learner.
    """
    from skillpath.services.readiness.learner_state import readiness_for

    if not can_manage_learner(mentor, learner):
        raise NotAllowed(_("You cannot confirm this learner’s readiness"))
    lock_learner(learner)
    profile = learner.learner_profile
    if profile is None or profile.target_role_level is None:
        raise CertificateError(_("The learner has not chosen a job to work towards"))
    readiness = readiness_for([learner], readiness_settings or {})[learner.id]
    if readiness.band != Band.READY:
        raise CertificateError(
            _("The learner is not ready for work yet: their readiness is “%(band)s”", band=readiness.band.label)
        )
    role_level = profile.target_role_level
    existing = current_readiness_certificate(learner, role_level)
    if existing is not None:
        return existing
    skills = [(gap.name, gap.held or gap.required) for gap in readiness.skills]
    return _issue(
        kind=CertificateKind.ROLE_READINESS,
        learner=learner,
        issued_by=mentor,
        achievement_name=readiness_achievement_name(role_level),
        achievement_description=(
            f"Has every skill the {role_level.name} role needs, at the level it needs, shown in modules "
            "a mentor signed off, and has been confirmed by a mentor as ready for work."
        ),
        skills=_sorted_skills(skills),
        issuer=issuer or current_issuer(),
        role_level_id=role_level.id,
        at=at,
    )


# --- Checking ----------------------------------------------------------------------------------


class VerificationStatus(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    NOT_FOUND = "not_found"
    INVALID_CODE = "invalid_code"
    TAMPERED = "tampered"


_MESSAGES = {
    VerificationStatus.VALID: _l("This certificate is valid."),
    VerificationStatus.REVOKED: _l("This certificate has been withdrawn."),
    VerificationStatus.NOT_FOUND: _l("There is no certificate with this code that can be checked."),
    VerificationStatus.INVALID_CODE: _l("Check the code and try again"),
    VerificationStatus.TAMPERED: _l("The record of this certificate does not match its signature. Contact the issuer."),
}


@dataclass(frozen=True)
class Verification:
    """The answer to "is this certificate real?", with only what may be shown publicly."""

    status: VerificationStatus
    content: CertificateContent | None = None
    revoked_at: datetime | None = None
    key_id: str | None = None
    public_id: uuid.UUID | None = None

    @property
    def message(self) -> str:
        return str(_MESSAGES[self.status])

    @property
    def is_valid(self) -> bool:
        return self.status == VerificationStatus.VALID


# Built once: this is the query behind every public check.
_CHECKABLE_BY_CODE = select(Certificate).where(Certificate.code == bindparam("code"), Certificate.hidden_at.is_(None))


def get_checkable_certificate(code: str) -> Certificate | None:
    """The certificate for a stored-form code, unless the learner has hidden it.

    Hidden certificates are left out by the query itself, so "hidden" and "no
    such code" take the same path and cannot be told apart.
    """
    return db.session.scalar(_CHECKABLE_BY_CODE, {"code": code})


@dataclass(frozen=True, slots=True)
class CheckedCertificate:
    """A certificate as a public check reads it, and no more: the signed content, its signature, its status, its
    kind (the printable page's title) and its status-list entry (a credential file's check); never the reason for
    a withdrawal. A plain record, in no session, so a check builds no ORM object. Each field is read from the
    certificate column of the same name. Change certificates through the functions further down."""

    id: int
    public_id: uuid.UUID
    code: str
    kind: CertificateKind
    recipient_name: str
    achievement_name: str
    achievement_description: str
    skills: list[dict[str, Any]]
    issuer_name: str
    issued_at: datetime
    key_id: str | None
    signature: str | None
    revoked_at: datetime | None
    status_list_id: int | None
    status_list_index: int | None


_CHECKED_COLUMNS = tuple(getattr(Certificate, field.name) for field in fields(CheckedCertificate))
_CHECKED_BY_CODE = select(*_CHECKED_COLUMNS).where(
    Certificate.code == bindparam("code"), Certificate.hidden_at.is_(None)
)


def read_checkable_certificate(code: str) -> CheckedCertificate | None:
    """What `get_checkable_certificate` finds, read for a public check: a plain record, in no session.

    The busiest public page (employers checking codes, at national scale) pays for one indexed statement and
    nothing else: only the columns a check needs, and, when nothing else has been read in this request, outside
    any transaction, so there is no BEGIN and no COMMIT to wait for. On PostgreSQL it reads through its own pool
    (`public_reads_engine`), which skips the ping before each use and reads again once if the connection turns out to
    have been dropped. Everything is read now, on every call, including whether the certificate has been
    withdrawn: nothing here is cached, so a withdrawal shows on the very next check, on every host.
    """
    # A signed-in visitor's session was touched, or a test's; with no session yet, none is made just to ask.
    in_transaction = db.session.registry.has() and db.session().in_transaction()
    if not in_transaction and (engine := public_reads_engine()) is not None:
        return _read_through_driver(engine, code)
    bind = db.session.get_bind()
    if not in_transaction and isinstance(bind, Engine):  # SQLite: the app's own engine, with no ping to skip
        with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            row = connection.execute(_CHECKED_BY_CODE, {"code": code}).one_or_none()
    else:  # read in the transaction already open
        row = db.session.execute(_CHECKED_BY_CODE, {"code": code}).one_or_none()
    return None if row is None else CheckedCertificate(**row._asdict())


def _read_through_driver(engine: Engine, code: str) -> CheckedCertificate | None:
    """The certificate's row, read straight through the driver: the statement is `_CHECKED_BY_CODE` compiled once,
    and each value is converted by its column's own type, as SQLAlchemy would. On the busiest public page,
    SQLAlchemy's handling of a statement and its result cost as much again as the database.

    A connection found dropped (a database restart or failover) is let go with every other connection of this
    pool, and the statement is sent once more on a new one.
    """
    dialect = engine.dialect
    statement, converters = _raw_checked_statement(dialect)
    for attempt in (1, 2):
        try:
            pooled = engine.raw_connection()  # the pool's connection, without SQLAlchemy's Connection around it
        except dialect.loaded_dbapi.Error as error:  # the database is down: said as SQLAlchemy says it (503)
            raise DBAPIError.instance(None, None, error, dialect.loaded_dbapi.Error, dialect=dialect) from error
        try:
            cursor = pooled.cursor()
            try:
                cursor.execute(statement, {"code": code})
                row = cursor.fetchone()
            finally:
                cursor.close()
        except dialect.loaded_dbapi.Error as error:
            dropped = dialect.is_disconnect(error, pooled.dbapi_connection, None)
            if dropped:
                pooled.invalidate()
            if dropped and attempt == 1:
                engine.dispose()
                continue
            raise DBAPIError.instance(
                statement, {}, error, dialect.loaded_dbapi.Error, connection_invalidated=dropped, dialect=dialect
            ) from error
        finally:
            pooled.close()  # back to the pool, unless invalidated above
        break
    if row is None:
        return None
    return CheckedCertificate(**{key: convert(value) for (key, convert), value in zip(converters, row, strict=True)})


_Converter = Callable[[Any], Any]
_raw_statements: dict[str, tuple[str, list[tuple[str, _Converter]]]] = {}


def _unchanged(value: Any) -> Any:
    return value


def _raw_checked_statement(dialect: Any) -> tuple[str, list[tuple[str, _Converter]]]:
    """`_CHECKED_BY_CODE` as the driver takes it, and each column's name and result conversion, per dialect."""
    found = _raw_statements.get(dialect.name)
    if found is None:
        statement = str(_CHECKED_BY_CODE.compile(dialect=dialect))
        converters = [
            (column.key, column.type.dialect_impl(dialect).result_processor(dialect, None) or _unchanged)
            for column in _CHECKED_COLUMNS
        ]
        found = _raw_statements[dialect.name] = (statement, converters)
    return found


def verification_of(certificate: Certificate | CheckedCertificate | None, keys: signing.KeyStore) -> Verification:
    if certificate is None:
        return Verification(VerificationStatus.NOT_FOUND)
    content = content_of(certificate)
    if not has_valid_signature(certificate, keys, content):
        return Verification(VerificationStatus.TAMPERED)
    status = VerificationStatus.VALID if certificate.revoked_at is None else VerificationStatus.REVOKED
    return Verification(status, content, certificate.revoked_at, certificate.key_id, certificate.public_id)


def verify_code(text: str | None, keys: signing.KeyStore) -> Verification:
    """Check a typed or scanned code. A malformed code or wrong check character never reaches the database."""
    code = normalise_code(text)
    if code is None:
        return Verification(VerificationStatus.INVALID_CODE)
    return verification_of(get_checkable_certificate(code), keys)


# --- Withdrawing and hiding --------------------------------------------------------------------


def withdraw_certificate(certificate: Certificate, *, by: User, reason: str, at: datetime | None = None) -> None:
    """Staff withdraw a certificate. The reason is kept for staff; employers see only that it was withdrawn, and when.

    Refuses staff who cannot manage the learner (NotAllowed), a certificate already withdrawn (Conflict) and
    an empty reason (InvalidInput on "reason"). Nothing is changed before every check has passed.
    """
    learner = db.session.get(User, certificate.learner_id)
    if learner is None or not can_manage_learner(by, learner):
        raise NotAllowed(_("You cannot withdraw this certificate"))
    lock_learner(certificate.learner_id)
    if certificate.is_revoked:
        raise Conflict(_("This certificate has already been withdrawn"))
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Enter why you are withdrawing the certificate"), field="reason")
    certificate.revoked_at = at or utcnow()
    certificate.revoked_by_id = by.id
    certificate.revocation_reason = reason
    record_event(
        AuditAction.CERTIFICATE_REVOKED,
        actor=by,
        subject=learner,
        object_type="certificate",
        object_id=certificate.public_id,
    )


# The name the code had before the use case was named as the pages say it; kept for its callers.
revoke_certificate = withdraw_certificate


def set_hidden(certificate: Certificate, hidden: bool, *, by: User) -> bool:
    """The learner hides a certificate from public checking, or shows it again. False if nothing changed.

    Only the learner it belongs to may (NotAllowed otherwise).
    """
    if by.id != certificate.learner_id:
        raise NotAllowed(_("Only the learner can hide or show their certificate"))
    lock_learner(certificate.learner_id)
    if certificate.is_hidden == hidden:
        return False
    certificate.hidden_at = utcnow() if hidden else None
    record_event(
        AuditAction.CERTIFICATE_HIDDEN if hidden else AuditAction.CERTIFICATE_SHOWN,
        actor=by,
        subject=db.session.get(User, certificate.learner_id),
        object_type="certificate",
        object_id=certificate.public_id,
    )
    return True


def hide_certificate(certificate: Certificate, *, by: User) -> bool:
    """Employers can no longer check it (it looks like a code that does not exist). False if it was hidden."""
    return set_hidden(certificate, True, by=by)


def show_certificate(certificate: Certificate, *, by: User) -> bool:
    """Employers can check it again. False if it was not hidden."""
    return set_hidden(certificate, False, by=by)


# --- Reading -----------------------------------------------------------------------------------


def list_certificates(learner: User) -> list[Certificate]:
    """A learner's certificates, newest first, withdrawn ones included."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.learner_id == learner.id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )


def get_certificate(public_id: uuid.UUID) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.public_id == public_id))


def get_learner_certificate(learner: User, public_id: uuid.UUID) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(Certificate.public_id == public_id, Certificate.learner_id == learner.id)
    )


def achievement_id(certificate: Certificate) -> str:
    """A stable identifier for what was achieved, the same for every learner who achieves it."""
    if certificate.module_id is not None:
        public_id = db.session.scalar(select(Module.public_id).where(Module.id == certificate.module_id))
    elif certificate.role_level_id is not None:
        public_id = db.session.scalar(select(RoleLevel.public_id).where(RoleLevel.id == certificate.role_level_id))
    else:
        public_id = None
    return f"urn:uuid:{public_id or certificate.public_id}"


def set_certificate_name(
    learner: User, name: str, *, by: User, unprintable: Callable[[str], Sequence[str]] | None = None
) -> str:
    """The name the learner wants on certificates from now on. Certificates already issued keep theirs.

    `unprintable` says which characters of a name the certificate PDF cannot print;
    a name with any is refused, since a certificate must show the name as written.
    """
    profile = learner.learner_profile
    if profile is None:
        raise CertificateError(_("Only learners receive certificates"))
    cleaned = clean_name(name)
    if not cleaned:
        raise CertificateError(_("Enter your name as you want it on your certificates"), field="name")
    if len(cleaned) > NAME_MAX:  # normalising can lengthen a name, so check again after it
        raise CertificateError(_("Your name must be %(max)d characters or fewer", max=NAME_MAX), field="name")
    if missing := list(unprintable(cleaned) if unprintable else []):
        raise CertificateError(
            _(
                "Certificates cannot print %(characters)s. "
                "Write your name using letters a certificate can print, such as A to Z with any accents",
                characters=_quoted_list(missing),
            ),
            field="name",
        )
    profile.certificate_name = cleaned
    record_event(AuditAction.LEARNER_CERTIFICATE_NAME_CHANGED, actor=by, subject=learner)
    return cleaned


def _quoted_list(characters: Sequence[str]) -> str:
    quoted = [f"“{character}”" for character in characters]
    if len(quoted) == 1:
        return quoted[0]
    return _("%(first)s and %(last)s", first=", ".join(quoted[:-1]), last=quoted[-1])


# --- Finding a certificate for someone -------------------------------------------------------------


def find_certificate_for_learner(learner: User, public_id: uuid.UUID) -> Certificate | None:
    """The learner's own certificate; someone else's is None, exactly as one that does not exist."""
    return get_learner_certificate(learner, public_id)


def find_downloadable_certificate_for_learner(learner: User, public_id: uuid.UUID) -> Certificate | None:
    """The learner's own certificate, if it still has files to download (a withdrawn one has none)."""
    found = get_learner_certificate(learner, public_id)
    return found if found is not None and not found.is_revoked else None


def learner_of(certificate: Certificate) -> User:
    """The learner a certificate was issued to."""
    learner = db.session.get(User, certificate.learner_id)
    assert learner is not None  # the foreign key holds
    return learner


def find_certificate_for_staff(staff: User, public_id: uuid.UUID) -> Certificate | None:
    """A certificate of a learner this member of staff manages; any other is None, as one that does not exist."""
    found = get_certificate(public_id)
    if found is None:
        return None
    learner = db.session.get(User, found.learner_id)
    return found if learner is not None and can_manage_learner(staff, learner) else None


class CertificateStatus(StrEnum):
    """Where a certificate stands, as the staff API reports it (codes; pages give them words)."""

    ACTIVE = "active"
    WITHDRAWN = "withdrawn"
    HIDDEN = "hidden"


CERTIFICATE_STATUS_LABELS = {
    CertificateStatus.ACTIVE: _l("Valid"),
    CertificateStatus.WITHDRAWN: _l("Withdrawn"),
    CertificateStatus.HIDDEN: _l("Hidden by the learner"),
}


def status_of(certificate: Certificate) -> CertificateStatus:
    """Withdrawn wins over hidden: a withdrawn certificate stays withdrawn whether the learner shows it or not."""
    if certificate.is_revoked:
        return CertificateStatus.WITHDRAWN
    if certificate.is_hidden:
        return CertificateStatus.HIDDEN
    return CertificateStatus.ACTIVE


@dataclass(frozen=True)
class CertificateStatusItem:
    """One certificate's status, with what identifies it and nothing it certifies in detail."""

    code: str  # display form, such as SP-7Q4K-29XD-M3HW
    title: str
    kind: CertificateKind
    issued_at: datetime
    status: CertificateStatus
    withdrawn_at: datetime | None


def list_certificate_statuses_for(learner: User) -> list[CertificateStatusItem]:
    """Every certificate of the learner, newest first, with its status (for the staff API; status only)."""
    return [
        CertificateStatusItem(
            code=format_code(item.code),
            title=item.achievement_name,
            kind=item.kind,
            issued_at=item.issued_at,
            status=status_of(item),
            withdrawn_at=item.revoked_at,
        )
        for item in list_certificates(learner)
    ]


# --- Staff reading a learner's certificates ----------------------------------------------------


@dataclass(frozen=True)
class LearnerCertificates:
    """What staff see of a learner's certificates, and whether they may confirm readiness now."""

    learner: User
    certificates: list[Certificate]
    readiness: Any  # readiness.Readiness (imported lazily: readiness imports this module)
    can_confirm: bool


def record_certificate_view(
    staff: User, learner: User, *, page: str, ip_address: str | None, certificate: Certificate | None = None
) -> None:
    """The audit of staff reading a learner's certificates (the list, or one before withdrawing it)."""
    extra: dict[str, Any] = {}
    if certificate is not None:
        extra = {"object_type": "certificate", "object_id": certificate.public_id}
    record_event(
        AuditAction.LEARNER_RECORD_VIEWED, actor=staff, subject=learner, ip_address=ip_address, page=page, **extra
    )


def view_learner_certificates(
    staff: User, learner: User, *, readiness_settings: Mapping[str, object], ip_address: str | None = None
) -> LearnerCertificates:
    """Staff open a learner's certificates: the list, the readiness band, and the read recorded in the audit."""
    from skillpath.services.readiness.learner_state import readiness_for

    if not can_manage_learner(staff, learner):
        raise NotAllowed(_("You cannot see this learner’s certificates"))
    record_certificate_view(staff, learner, page="certificates", ip_address=ip_address)
    readiness = readiness_for([learner], readiness_settings)[learner.id]
    role_level = learner.learner_profile.target_role_level if learner.learner_profile else None
    can_confirm = (
        readiness.band == Band.READY
        and role_level is not None
        and current_readiness_certificate(learner, role_level) is None
    )
    return LearnerCertificates(learner, list_certificates(learner), readiness, can_confirm)
