"""The shapes of the API's requests and answers (pydantic), from which the OpenAPI document's
schemas are generated. Answers are built as plain dicts (``planner.api.resources``) for speed;
the tests check every answer against the document made from these models, so the two cannot
drift apart unnoticed.

Field names are the ones webhooks use for the same things (``planner.webhooks.payloads``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from planner.badges.models import ScanOutcome
from planner.badges.signing import MAX_TOKEN_LENGTH
from planner.delegations.models import DelegationKind, DelegationStatus, MemberRole, NominationStatus
from planner.delegations.models import RepresentationLevel as Level
from planner.forums.models import EventKind, ForumStatus
from planner.registration.models import RegistrationStatus
from planner.schedule.models import ParticipantRole, SessionKind, SessionStatus
from planner.statements.models import DocumentKind, DocumentStatus

#: A page of a list holds at most this many items; 50 unless ``limit`` says otherwise.
MAX_PAGE = 200
DEFAULT_PAGE = 50

UtcTime = Annotated[dt.datetime, Field(description="A moment in UTC, written with a Z.")]
Translations = Annotated[
    dict[str, dict[str, str]],
    Field(description="Fields written in the forum's other languages: language code, then field name, then text."),
]
Cursor = Annotated[str, StringConstraints(min_length=1, max_length=200)]
#: An event's code as a query asks for it: printable, so that no NUL reaches the database
#: (PostgreSQL refuses one in a text: a 500, not the 400 it is).
EventCode = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[^\x00-\x1f\x7f]+$")]


class Answer(BaseModel):
    """Answers may gain fields in later versions of v1; clients should ignore those they do not know."""

    model_config = ConfigDict(extra="forbid")


class Request(BaseModel):
    """Requests are strict: a field the API does not know is refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


# -- errors -------------------------------------------------------------------------------


class ErrorDetail(Answer):
    location: str = Field(description="Where the problem is: a query parameter, a header or a field of the body.")
    message: str


class Error(Answer):
    error: str = Field(description="What went wrong, in the reader's language.")
    status: int
    details: list[ErrorDetail] = Field(default_factory=list)


# -- queries ------------------------------------------------------------------------------


class PageQuery(BaseModel):
    cursor: Cursor | None = Field(None, description="The next_cursor of the page before; absent for the first.")
    limit: int = Field(DEFAULT_PAGE, ge=1, le=MAX_PAGE, description="How many items a page holds.")


class SessionQuery(PageQuery):
    day: dt.date | None = Field(None, description="Only sessions that start on this day, in the forum's time zone.")
    event: EventCode | None = Field(None, description="Only the sessions of the event with this code.")
    kind: SessionKind | None = None


class RegistrationQuery(PageQuery):
    event: EventCode | None = Field(None, description="Only the registrations for the event with this code.")
    status: RegistrationStatus | None = None


class ParticipantQuery(BaseModel):
    lang: Literal["en", "ja"] | None = Field(
        None,
        description="The language to order and name the list in (planner's languages); the forum's first by default.",
    )


class NominationQuery(PageQuery):
    delegation: int | None = Field(None, ge=1, le=2**31 - 1, description="Only this delegation's members.")
    status: NominationStatus | None = None


# -- the programme ------------------------------------------------------------------------


class Venue(Answer):
    name: str
    address: str


class ForumSummary(Answer):
    slug: str
    name: str
    title: str
    first_day: dt.date
    last_day: dt.date
    timezone: str = Field(description="The IANA time zone the forum is held in; all times are given in UTC.")
    status: ForumStatus
    url: str


class ForumList(Answer):
    items: list[ForumSummary]


class Forum(ForumSummary):
    host_city: str
    host_country: str
    description: str
    languages: list[str]
    programme_version: int = Field(description="Raised by every change to the programme.")
    translations: Translations


class Event(Answer):
    code: str
    kind: EventKind
    title: str
    audience: str
    description: str
    starts_at: UtcTime
    ends_at: UtcTime
    venue: Venue | None
    url: str
    translations: Translations


class EventList(Answer):
    items: list[Event]


class Zone(Answer):
    number: int
    name: str


class Room(Answer):
    id: int
    name: str
    venue: str
    capacity: int | None
    accessibility_notes: str
    required_zone: Zone | None = Field(description="The badge zone a person needs to enter the room, if any.")
    translations: Translations


class RoomList(Answer):
    items: list[Room]


class RoomRef(Answer):
    id: int
    name: str


class SessionPerson(Answer):
    name: str
    role: ParticipantRole
    organisation: str


class Session(Answer):
    id: int
    title: str
    kind: SessionKind
    status: SessionStatus
    event: str = Field(description="The code of the event the session belongs to.")
    starts_at: UtcTime
    ends_at: UtcTime
    timezone: str
    room: RoomRef | None
    language: str | None = Field(description="The language spoken, if the organisers gave it.")
    interpretation: list[str] = Field(description="The languages interpreted into.")
    people: list[SessionPerson]
    description: str
    revision: int = Field(description="Raised by every change a calendar shows.")
    url: str
    translations: Translations


class SessionPage(Answer):
    items: list[Session]
    next_cursor: str | None = Field(description="Pass it as cursor for the next page; null on the last.")


# -- delegations and participants ----------------------------------------------------------


class Delegation(Answer):
    id: int
    name: str
    kind: DelegationKind
    country: str | None = Field(description="ISO 3166-1 alpha-2 code, for a country's delegation.")
    organisation: str | None = Field(description="The acronym of the international organisation, for one.")
    space_agency: str | None
    status: DelegationStatus
    translations: Translations


class DelegationList(Answer):
    items: list[Delegation]


class DelegationRef(Answer):
    id: int
    name: str


class ListedParticipant(Answer):
    name: str
    role: MemberRole
    function: str


class ListedDelegation(Answer):
    id: int
    name: str
    members: list[ListedParticipant]


class ParticipantList(Answer):
    language: str = Field(description="The language the list is ordered and named in (lang= chooses it).")
    drawn: str | None = Field(description="The delegation drawn by lot to head the list, if any.")
    delegations: list[ListedDelegation] = Field(description="In protocol order.")


# -- statements -----------------------------------------------------------------------------


class VersionSummary(Answer):
    number: int
    note: str
    created_at: UtcTime


class Statement(Answer):
    slug: str
    title: str
    kind: DocumentKind
    status: DocumentStatus
    language: str
    adopted_on: dt.date | None
    adopted_place: str
    adopted_version: int | None = Field(description="The number of the version that was adopted.")
    url: str
    versions: list[VersionSummary]
    translations: Translations


class StatementList(Answer):
    items: list[Statement]


class StatementVersion(Answer):
    statement: str = Field(description="The statement's slug.")
    number: int
    note: str
    created_at: UtcTime
    text: str = Field(description="The text as written (Markdown).")


# -- what tokens reach ------------------------------------------------------------------------


class Registration(Answer):
    id: int
    event: str
    status: RegistrationStatus
    applied_at: UtcTime
    decided_at: UtcTime | None
    name: str
    email: str
    delegation: DelegationRef | None
    country: str | None
    organisation: str
    answers: dict[str, str | bool | list[str] | None] = Field(description="Answers to the event's questions, by id.")


class RegistrationPage(Answer):
    items: list[Registration]
    next_cursor: str | None


class Decision(Request):
    decision: Literal["approve", "decline"]


class Nomination(Answer):
    person_id: int
    delegation: DelegationRef
    name: str
    role: MemberRole
    level: Level
    function: str
    status: NominationStatus


class NominationPage(Answer):
    items: list[Nomination]
    next_cursor: str | None


class ScanIn(Request):
    # A token, or a badge's number for a check-in by hand: said in the schema, not only checked.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [
                {"required": ["token"], "properties": {"token": {"type": "string"}}},
                {"required": ["badge"], "properties": {"badge": {"type": "integer"}}},
            ]
        },
    )

    id: uuid.UUID = Field(description="The device's own id of the scan (a UUID): sending it again is harmless.")
    token: Annotated[str, StringConstraints(min_length=1, max_length=MAX_TOKEN_LENGTH)] | None = Field(
        None, description="The text of the badge's QR code; or badge for a check-in by hand."
    )
    badge: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = Field(
        None, description="A badge's number, for a check-in by hand (when there is no token)."
    )
    zone: int = Field(ge=1, le=255, description="The number of the zone scanned at.")
    event: EventCode | None = None
    at: AwareDatetime = Field(description="When it was scanned, with its UTC offset.")

    @model_validator(mode="after")
    def _token_or_badge(self) -> ScanIn:
        if self.token is None and self.badge is None:
            raise ValueError("a scan needs a token or a badge's number")
        return self


class ScanBatch(Request):
    device: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
    scans: list[ScanIn] = Field(max_length=200)


class FirstArrival(Answer):
    at: UtcTime
    zone: int | None


class ScanVerdict(Answer):
    id: str
    outcome: ScanOutcome
    badge: int | None
    replayed: bool
    first: FirstArrival | None


class ScanResults(Answer):
    results: list[ScanVerdict]
