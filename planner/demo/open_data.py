"""The open demonstration forum: a forum to try planner on, dated from the day it is loaded.

ISEF2's registration closed in 2018, so a newcomer could apply to nothing. This forum starts
a few weeks after the day it is first loaded, with side events open to registration from a
week before that day, and a ministerial meeting by nomination. Its dates are computed once,
when it is loaded, and stored like any forum's; loading it again, on any later day, changes
nothing. Everything in it is fictitious and marked as demonstration content.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from planner.demo.content import ForumContent

SLUG = "open-demo"
TIMEZONE = "Europe/Luxembourg"
# Weeks enough to try every journey before the forum starts and registration closes.
DAYS_BEFORE_FORUM = 35

ROOM_CAPACITIES = {
    "Plenary hall": 400,
    "Room A": 80,
    "Room B": 60,
    "Foyer": 150,
    # Small on purpose: a few applications fill it, so the waiting list can be tried.
    "Studio": 20,
}


def content(load_day: dt.date) -> ForumContent:
    """The forum as loaded on ``load_day`` (a date in the forum's timezone)."""
    first = load_day + dt.timedelta(days=DAYS_BEFORE_FORUM)

    def day(n: int, time: str = "") -> str:
        text = (first + dt.timedelta(days=n)).isoformat()
        return f"{text} {time}" if time else text

    # Open from a week before loading, so that it is open whatever the hour and timezone.
    opens = f"{(load_day - dt.timedelta(days=7)).isoformat()} 09:00"
    return ForumContent(
        forum={
            "slug": SLUG,
            "name": "Demo Forum",
            "title": "Demonstration Space Exploration Forum",
            "host_city": "Luxembourg",
            "host_country": "LU",
            "timezone": TIMEZONE,
            "first_day": day(0),
            "last_day": day(2),
            "status": "open",
            "description": (
                "A fictitious forum to try planner on: apply to its side events, nominate a "
                "delegation to its ministerial meeting, organise its programme. Its dates were set "
                "when it was loaded."
            ),
        },
        venues={"Demo Convention Centre": [(name, capacity) for name, capacity in ROOM_CAPACITIES.items()]},
        events=[
            (
                "YOUNG",
                "side_event",
                "Young Professionals Workshop",
                "Young professionals and students aged 18 to 35; organisers approve each application.",
                "Demo Convention Centre",
                day(0, "09:00"),
                day(0, "17:30"),
            ),
            (
                "INDUSTRY",
                "side_event",
                "Industry Day",
                "Companies and industry associations; places are confirmed at once.",
                "Demo Convention Centre",
                day(1, "09:30"),
                day(1, "17:00"),
            ),
            (
                "LECTURE",
                "side_event",
                "Public Evening Lecture",
                "Everyone is welcome; 20 seats, then a waiting list.",
                "Demo Convention Centre",
                day(1, "18:30"),
                day(1, "20:00"),
            ),
            (
                "MINISTERIAL",
                "ministerial",
                "Ministerial meeting",
                "Ministers and heads of delegation, nominated by their delegations' focal points.",
                "Demo Convention Centre",
                day(2, "09:00"),
                day(2, "18:00"),
            ),
        ],
        sessions=[
            ("YOUNG", day(0), "09:00", "09:30", "Welcome", "plenary", "Room A", ["hana.suzuki@example.org"], [], ""),
            (
                "YOUNG",
                day(0),
                "09:30",
                "10:30",
                "Keynote: careers in exploration",
                "keynote",
                "Room A",
                ["hana.suzuki@example.org"],
                ["claire.dubois@example.org"],
                "",
            ),
            ("YOUNG", day(0), "10:30", "11:00", "Coffee break", "break", "Foyer", [], [], ""),
            (
                "YOUNG",
                day(0),
                "11:00",
                "13:00",
                "Working group: the Moon",
                "workshop",
                "Room A",
                [],
                ["priya.raman@example.org"],
                "",
            ),
            (
                "YOUNG",
                day(0),
                "11:00",
                "13:00",
                "Working group: Mars",
                "workshop",
                "Room B",
                [],
                ["lukas.becker@example.org"],
                "",
            ),
            (
                "YOUNG",
                day(0),
                "14:30",
                "17:30",
                "Recommendations to ministers",
                "plenary",
                "Room A",
                ["hana.suzuki@example.org"],
                [],
                "",
            ),
            (
                "INDUSTRY",
                day(1),
                "09:30",
                "11:00",
                "Panel: industry and agencies",
                "panel",
                "Plenary hall",
                ["yuki.nakamura@example.org"],
                ["david.miller@example.org", "sofia.almeida@example.org"],
                "",
            ),
            ("INDUSTRY", day(1), "11:00", "11:30", "Coffee break", "break", "Foyer", [], [], ""),
            ("INDUSTRY", day(1), "11:30", "17:00", "Business matching", "bilateral", "Room B", [], [], ""),
            (
                "LECTURE",
                day(1),
                "18:30",
                "20:00",
                "Why we explore",
                "keynote",
                "Studio",
                [],
                ["kenji.sato@example.org"],
                "",
            ),
            (
                "MINISTERIAL",
                day(2),
                "09:00",
                "10:00",
                "Opening session",
                "ceremony",
                "Plenary hall",
                ["aiko.tanaka@example.org"],
                [],
                "",
            ),
            (
                "MINISTERIAL",
                day(2),
                "10:00",
                "13:00",
                "Statements of delegations",
                "plenary",
                "Plenary hall",
                ["aiko.tanaka@example.org"],
                [],
                "",
            ),
            ("MINISTERIAL", day(2), "13:00", "14:30", "Lunch", "break", "Foyer", [], [], ""),
            (
                "MINISTERIAL",
                day(2),
                "14:30",
                "17:00",
                "Adoption of the joint statement",
                "plenary",
                "Plenary hall",
                ["aiko.tanaka@example.org"],
                [],
                "",
            ),
            ("MINISTERIAL", day(2), "17:00", "18:00", "Press conference", "press", "Room A", [], [], ""),
        ],
        delegations=[
            ("Japan", "country", "JP", "Japan Aerospace Exploration Agency (JAXA)"),
            ("France", "country", "FR", "Centre national d'études spatiales (CNES)"),
            ("Italy", "country", "IT", "Italian Space Agency (ASI)"),
            ("Luxembourg", "country", "LU", "Luxembourg Space Agency (LSA)"),
            ("United States", "country", "US", "National Aeronautics and Space Administration (NASA)"),
            ("European Space Agency", "organisation", None, "European Space Agency (ESA)"),
        ],
        seat_quota={"country": 5, "organisation": 3},
        registration=_registration(opens, closes=day(-3, "17:00"), lecture_closes=day(1, "12:00")),
    )


def _registration(opens: str, closes: str, lecture_closes: str) -> dict[str, dict[str, Any]]:
    return {
        "YOUNG": dict(
            mode="open",
            opens=opens,
            closes=closes,
            capacity=60,
            approval_required=True,
            min_age=18,
            max_age=35,
            questions=[
                ("Your field of work", "single", ["Engineering", "Science", "Policy", "Business", "Other"], True),
                ("Which working groups interest you?", "multiple", ["The Moon", "Mars"], False),
                ("Is this your first forum?", "yes_no", [], True),
                ("Dietary requirements", "text", [], False),
            ],
        ),
        "INDUSTRY": dict(
            mode="open", opens=opens, closes=closes, capacity=200, approval_required=False, organisation_required=True
        ),
        "LECTURE": dict(mode="open", opens=opens, closes=lecture_closes, capacity=20, approval_required=False),
        "MINISTERIAL": dict(mode="nomination", capacity=None),
    }
