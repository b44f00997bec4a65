"""ISEF2 ready for certificates: the badges' scene (its ministerial meeting MIN, Y-ISEF and their
doors) with S-ISEF, a student event whose Japanese student registered with her family name first."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader

from planner.badges.models import Arrival, Badge, Scan, ScanOutcome, Zone
from planner.extensions import db
from planner.forums.models import Event, EventKind
from planner.registration.models import Registration, RegistrationStatus
from tests.badges.helpers import BadgeScene, make_scene
from tests.factories import current, make_event, make_user

ATTENDANCE = "/forums/isef2/manage/events/{code}/attendance"


@dataclass
class Scene:
    badges: BadgeScene
    student_event: Event
    student: Any  # 佐藤 結衣, whose account is in Japanese

    def __getattr__(self, name: str) -> Any:
        return getattr(self.badges, name)


def make_certificate_scene() -> Scene:
    badges = make_scene()
    forum = badges.forum
    forum.languages = ["en", "ja"]
    student_event = make_event(
        forum,
        "S-ISEF",
        kind=EventKind.STUDENT,
        title="Student ISEF",
        translations={"ja": {"title": "学生宇宙探査フォーラム"}},
        starts_at=dt.datetime(2018, 3, 2, 9, tzinfo=forum.zone),
        ends_at=dt.datetime(2018, 3, 3, 17, tzinfo=forum.zone),
    )
    student = make_user(language="ja", email="yui@example.jp")
    student.set_name("結衣", "佐藤", True)
    db.session.add(Registration(event_id=student_event.id, user_id=student.id, status=RegistrationStatus.CONFIRMED))
    db.session.flush()
    return Scene(badges, student_event, student)


def check_in(badge: Badge, zone: Zone, at: dt.datetime, event: Event | None = None) -> None:
    """A badge's admitted scan at a door and the arrival it makes, as a scanner's sync writes them."""
    badge = current(badge)
    scan = Scan(
        forum_id=badge.forum_id,
        scan_uuid=str(uuid.uuid4()),
        device="door-1",
        badge_id=badge.id,
        badge_version=badge.version,
        zone_id=zone.id,
        event_id=event.id if event else None,
        outcome=ScanOutcome.ADMITTED,
        scanned_at=at,
    )
    db.session.add(scan)
    db.session.flush()
    db.session.add(
        Arrival(
            badge_id=badge.id,
            zone_id=zone.id,
            forum_id=badge.forum_id,
            first_scan_id=scan.id,
            first_scanned_at=at,
            event_id=scan.event_id,
        )
    )
    db.session.flush()


def pdf_text(data: bytes) -> str:
    """The PDF's text, its lines joined by single spaces."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())
