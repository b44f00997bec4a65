"""The site's kept list of international organisations (``InternationalOrganisation``): the
list a new site starts with, which administrators then edit (``save_organisation``, ``remove_organisation``)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from planner.accounts.models import User
from planner.accounts.permissions import require_admin
from planner.audit.services import record
from planner.delegations.models import Delegation, InternationalOrganisation
from planner.extensions import db
from planner.formatting import listed
from planner.forums.models import Forum
from planner.refusals import Refused
from planner.translated import GivenTranslations, merged
from planner.validators import KANA, has_control_characters

ACRONYM_MAX = 40  # InternationalOrganisation.acronym
NAME_MAX = 200  # InternationalOrganisation.name

#: (acronym, English name, Japanese name, a space agency?) as a new site starts; the migration
#: that made the table inserts them, and administrators add, rename or remove them after.
STARTING_LIST: tuple[tuple[str, str, str, bool], ...] = (
    ("ESA", "European Space Agency", "欧州宇宙機関", True),
    ("EU", "European Union", "欧州連合", False),
    ("UNOOSA", "United Nations Office for Outer Space Affairs", "国際連合宇宙部", False),
    (
        "EUMETSAT",
        "European Organisation for the Exploitation of Meteorological Satellites",
        "欧州気象衛星開発機構",
        True,
    ),
    ("APSCO", "Asia-Pacific Space Cooperation Organization", "アジア太平洋宇宙協力機構", True),
    ("ITU", "International Telecommunication Union", "国際電気通信連合", False),
    ("WMO", "World Meteorological Organization", "世界気象機関", False),
    ("UNESCO", "United Nations Educational, Scientific and Cultural Organization", "国際連合教育科学文化機関", False),
    ("OECD", "Organisation for Economic Co-operation and Development", "経済協力開発機構", False),
    ("COSPAR", "Committee on Space Research", "国際宇宙空間研究委員会", False),
    ("IAF", "International Astronautical Federation", "国際宇宙航行連盟", False),
    ("ISECG", "International Space Exploration Coordination Group", "国際宇宙探査協働グループ", False),
)


#: The readings of the Japanese names, which set their place in Japanese lists (kanji sort by them).
STARTING_READINGS = {
    "ESA": "おうしゅううちゅうきかん",
    "EU": "おうしゅうれんごう",
    "UNOOSA": "こくさいれんごううちゅうぶ",
    "EUMETSAT": "おうしゅうきしょうえいせいかいはつきこう",
    "ITU": "こくさいでんきつうしんれんごう",
    "WMO": "せかいきしょうきかん",
    "UNESCO": "こくさいれんごうきょういくかがくぶんかきかん",
    "OECD": "けいざいきょうりょくかいはつきこう",
    "COSPAR": "こくさいうちゅうくうかんけんきゅういいんかい",
    "IAF": "こくさいうちゅうこうこうれんめい",
    "ISECG": "こくさいうちゅうたんさきょうどうぐるーぷ",
}


def starting_rows() -> list[dict[str, object]]:
    """The starting list as rows of ``international_organisations``."""
    rows: list[dict[str, object]] = []
    for acronym, name, japanese, agency in STARTING_LIST:
        japanese_fields = {"name": japanese}
        if acronym in STARTING_READINGS:
            japanese_fields["reading"] = STARTING_READINGS[acronym]
        rows.append(
            {"acronym": acronym, "name": name, "is_space_agency": agency, "translations": {"ja": japanese_fields}}
        )
    return rows


# Administrators edit the list ------------------------------------------------------------------


class OrganisationError(Refused):
    """A change to the site's list of organisations the rules refuse."""


def kept_list() -> list[InternationalOrganisation]:
    return list(db.session.scalars(select(InternationalOrganisation).order_by(InternationalOrganisation.acronym)))


def uses_of(organisation: InternationalOrganisation) -> list[str]:
    """The forums whose delegations come from this entry of the list, by name."""
    return list(
        db.session.scalars(
            select(Forum.name)
            .join(Delegation, Delegation.forum_id == Forum.id)
            .where(Delegation.organisation_id == organisation.id)
            .order_by(Forum.name)
        )
    )


def _problems(acronym: str, name: str, translations: GivenTranslations, current: int | None) -> None:
    for text, what, longest in (
        (acronym, "acronym", ACRONYM_MAX),
        (name, "name", NAME_MAX),
        *((fields.get("name") or "", f"name_{lang}", NAME_MAX) for lang, fields in translations.items()),
    ):
        if len(text) > longest:
            raise OrganisationError(_("Keep this to %(max)d characters or fewer.", max=longest), what)
        if has_control_characters(text):
            raise OrganisationError(_("Remove control characters or unreadable characters."), what)
    if not acronym:
        raise OrganisationError(_("Enter the acronym."), "acronym")
    if not name:
        raise OrganisationError(_("Enter the name."), "name")
    for column, value, what, message in (
        (InternationalOrganisation.acronym, acronym, "acronym", _("The list already has an organisation %(acronym)s.")),
        (InternationalOrganisation.name, name, "name", _("%(acronym)s on the list already has this name.")),
    ):
        other = db.session.scalar(
            select(InternationalOrganisation).where(
                func.lower(column) == value.lower(), InternationalOrganisation.id != (current or 0)
            )
        )
        if other is not None:
            raise OrganisationError(message % {"acronym": other.acronym}, what)


def _as_record(organisation: InternationalOrganisation) -> dict[str, object]:
    return {
        "acronym": organisation.acronym,
        "name": organisation.name,
        "is_space_agency": organisation.is_space_agency,
        "translations": organisation.translations or {},
    }


def save_organisation(
    actor: User,
    organisation: InternationalOrganisation | None,
    *,
    acronym: str,
    name: str,
    is_space_agency: bool,
    translations: GivenTranslations,
    japanese_reading: str | None = None,
) -> InternationalOrganisation:
    """Add an organisation to the site's list (``organisation`` None) or change one; acronyms
    and names are unique in any letter case. Site administrators only."""
    require_admin(actor)
    acronym, name = acronym.strip(), name.strip()
    _problems(acronym, name, translations, organisation.id if organisation else None)
    if japanese_reading and not KANA.fullmatch(japanese_reading.strip()):
        raise OrganisationError(_("Write the reading in hiragana or katakana only."), "japanese_reading")
    before = _as_record(organisation) if organisation is not None else None
    if organisation is None:
        organisation = InternationalOrganisation(translations={})
        db.session.add(organisation)
    organisation.acronym, organisation.name, organisation.is_space_agency = acronym, name, is_space_agency
    organisation.translations = merged(organisation.translations, translations)
    if japanese_reading is not None:  # None: the form has no such field (no Japanese on the site)
        organisation.translations = merged(organisation.translations, {"ja": {"reading": japanese_reading.strip()}})
    db.session.flush()
    after = _as_record(organisation)
    if before != after:
        record(
            actor,
            "organisation.added" if before is None else "organisation.changed",
            target=("organisation", organisation.id),
            summary=_("%(acronym)s on the site's list of organisations", acronym=organisation.acronym),
            before=before,
            after=after,
        )
    return organisation


def remove_organisation(actor: User, organisation: InternationalOrganisation) -> None:
    """Take an organisation off the site's list. One that delegations come from stays: their
    names in other languages come from it (rename it instead)."""
    require_admin(actor)
    forums = uses_of(organisation)
    if forums:
        raise OrganisationError(
            ngettext(
                "%(acronym)s cannot be removed: a delegation of %(forums)s comes from it.",
                "%(acronym)s cannot be removed: %(num)d delegations come from it (%(forums)s).",
                len(forums),
                acronym=organisation.acronym,
                forums=listed(dict.fromkeys(forums)),
            )
        )
    record(
        actor,
        "organisation.removed",
        target=("organisation", organisation.id),
        summary=_("%(acronym)s removed from the site's list of organisations", acronym=organisation.acronym),
        before=_as_record(organisation),
    )
    db.session.delete(organisation)
    db.session.flush()
