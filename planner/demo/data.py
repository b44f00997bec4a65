"""ISEF2 demonstration content.

The forum's dates, place and events follow the public record of the 2nd International
Space Exploration Forum (Tokyo, 3 March 2018, with side events from 28 February). The
delegation list, the rooms, the programme and the people are illustrative only: the
people are fictitious, and everything is marked as demo content in the database.
"""
from __future__ import annotations

SLUG = "isef2"

FORUM = {
    "slug": SLUG,
    "name": "ISEF2",
    "title": "2nd International Space Exploration Forum",
    "host_city": "Tokyo",
    "host_country": "JP",
    "timezone": "Asia/Tokyo",
    "first_day": "2018-02-28",
    "last_day": "2018-03-03",
    "status": "archived",
    "description": (
        "A ministerial-level meeting on international space exploration, with side events "
        "for young professionals, industry and Japanese high-school students. The next "
        "forum, ISEF3, is to be held in Europe."
    ),
}

# Venue name -> [(room, capacity)]
VENUES = {
    "Tokyo International Forum": [
        ("Hall B7", 800),
        ("Room G510", 140),
        ("Room G409", 100),
        ("Lounge", 60),
    ],
    "Miraikan": [("Miraikan Hall", 300), ("Innovation Hall", 120)],
}

# code, kind, title, audience, venue, start (local), end (local)
EVENTS = [
    ("Y-ISEF", "side_event", "Young Professionals ISEF",
     "Young professionals and students aged 18 to 35 working in space exploration.",
     "Tokyo International Forum", "2018-02-28 09:00", "2018-03-01 18:00"),
    ("S-ISEF", "side_event", "Student ISEF",
     "Japanese high-school students aged 15 to 18, with a guardian's consent.",
     "Miraikan", "2018-03-01 10:00", "2018-03-01 16:00"),
    ("I-ISEF", "side_event", "Industry ISEF",
     "Representatives of companies and industry associations in the space sector.",
     "Tokyo International Forum", "2018-03-02 09:30", "2018-03-02 18:00"),
    ("MINISTERIAL", "ministerial", "Ministerial meeting",
     "Ministers and heads of delegation of participating countries and international organisations.",
     "Tokyo International Forum", "2018-03-03 09:00", "2018-03-03 20:00"),
]

# Fictitious people: name, email, organisation, country.
PEOPLE = [
    ("Aiko Tanaka", "aiko.tanaka@example.org", "ISEF2 Secretariat", "JP"),
    ("Kenji Sato", "kenji.sato@example.org", "JAXA", "JP"),
    ("Maria Rossi", "maria.rossi@example.org", "ASI", "IT"),
    ("David Miller", "david.miller@example.org", "NASA", "US"),
    ("Claire Dubois", "claire.dubois@example.org", "CNES", "FR"),
    ("Lukas Becker", "lukas.becker@example.org", "DLR", "DE"),
    ("Priya Raman", "priya.raman@example.org", "ISRO", "IN"),
    ("Ji-woo Kim", "jiwoo.kim@example.org", "KARI", "KR"),
    ("Sofia Almeida", "sofia.almeida@example.org", "ESA", None),
    ("Omar Haddad", "omar.haddad@example.org", "UAE Space Agency", "AE"),
    ("Emily Clarke", "emily.clarke@example.org", "UK Space Agency", "GB"),
    ("Yuki Nakamura", "yuki.nakamura@example.org", "Space Industry Association (demo)", "JP"),
    ("Hana Suzuki", "hana.suzuki@example.org", "Young professionals network (demo)", "JP"),
    ("Thomas Meyer", "thomas.meyer@example.org", "European Commission", None),
]

# event, day, start, end, title, kind, room, chairs, speakers, description
SESSIONS = [
    ("Y-ISEF", "2018-02-28", "09:00", "09:30", "Welcome and introduction", "plenary", "Room G510",
     ["hana.suzuki@example.org"], [], "Opening of Y-ISEF and the working method of the two days."),
    ("Y-ISEF", "2018-02-28", "09:30", "10:30", "Keynote: why explore together", "keynote", "Room G510",
     ["hana.suzuki@example.org"], ["kenji.sato@example.org"], ""),
    ("Y-ISEF", "2018-02-28", "10:30", "10:45", "Coffee break", "break", "Lounge", [], [], ""),
    ("Y-ISEF", "2018-02-28", "10:45", "12:30", "Working group A: the Moon as a next step", "workshop", "Room G510",
     [], ["priya.raman@example.org"], ""),
    ("Y-ISEF", "2018-02-28", "10:45", "12:30", "Working group B: Mars and beyond", "workshop", "Room G409",
     [], ["claire.dubois@example.org"], ""),
    ("Y-ISEF", "2018-02-28", "13:30", "15:30", "Working group C: benefits of exploration on Earth", "workshop",
     "Room G409", [], ["jiwoo.kim@example.org"], ""),
    ("Y-ISEF", "2018-02-28", "16:00", "17:30", "Panel: careers in space exploration", "panel", "Room G510",
     ["hana.suzuki@example.org"], ["emily.clarke@example.org", "omar.haddad@example.org"], ""),
    ("Y-ISEF", "2018-03-01", "09:30", "12:00", "Drafting the Y-ISEF recommendations", "workshop", "Room G510",
     ["hana.suzuki@example.org"], [], "Working groups turn their findings into recommendations."),
    ("Y-ISEF", "2018-03-01", "13:30", "15:00", "Adoption of the Y-ISEF recommendations", "plenary", "Room G510",
     ["hana.suzuki@example.org"], [], "The recommendations are reported to the ministerial meeting."),
    ("S-ISEF", "2018-03-01", "10:00", "10:30", "Opening for students", "plenary", "Miraikan Hall",
     ["aiko.tanaka@example.org"], [], ""),
    ("S-ISEF", "2018-03-01", "10:30", "12:00", "Talk with astronauts and engineers", "panel", "Miraikan Hall",
     ["aiko.tanaka@example.org"], ["kenji.sato@example.org", "david.miller@example.org"], ""),
    ("S-ISEF", "2018-03-01", "13:00", "15:00", "Student group work: a mission of our own", "workshop",
     "Innovation Hall", [], [], "Students design a small exploration mission in teams."),
    ("S-ISEF", "2018-03-01", "15:00", "16:00", "Presentations by student teams", "plenary", "Miraikan Hall",
     ["aiko.tanaka@example.org"], [], ""),
    ("I-ISEF", "2018-03-02", "09:30", "10:00", "Opening of the industry forum", "plenary", "Hall B7",
     ["yuki.nakamura@example.org"], [], ""),
    ("I-ISEF", "2018-03-02", "10:00", "11:30", "Panel: commercial partners in exploration", "panel", "Hall B7",
     ["yuki.nakamura@example.org"], ["thomas.meyer@example.org", "lukas.becker@example.org"], ""),
    ("I-ISEF", "2018-03-02", "11:30", "12:30", "Panel: new players and start-ups", "panel", "Room G510",
     ["yuki.nakamura@example.org"], ["maria.rossi@example.org"], ""),
    ("I-ISEF", "2018-03-02", "12:30", "13:30", "Networking lunch", "break", "Lounge", [], [], ""),
    ("I-ISEF", "2018-03-02", "13:30", "15:30", "Business matching sessions", "bilateral", "Room G409", [], [], ""),
    ("I-ISEF", "2018-03-02", "16:00", "17:00", "Summary of the industry forum", "plenary", "Hall B7",
     ["yuki.nakamura@example.org"], [], "The summary is reported to the ministerial meeting."),
    ("MINISTERIAL", "2018-03-03", "09:00", "09:30", "Opening ceremony", "ceremony", "Hall B7",
     ["aiko.tanaka@example.org"], [], ""),
    ("MINISTERIAL", "2018-03-03", "09:30", "10:15", "Reports from Y-ISEF, I-ISEF and S-ISEF", "plenary", "Hall B7",
     ["aiko.tanaka@example.org"], ["hana.suzuki@example.org", "yuki.nakamura@example.org"], ""),
    ("MINISTERIAL", "2018-03-03", "10:15", "12:30", "Session 1: the importance of space exploration", "plenary",
     "Hall B7", ["aiko.tanaka@example.org"], ["david.miller@example.org", "sofia.almeida@example.org"],
     "Statements by heads of delegation."),
    ("MINISTERIAL", "2018-03-03", "12:30", "14:00", "Lunch", "break", "Lounge", [], [], ""),
    ("MINISTERIAL", "2018-03-03", "12:45", "13:45", "Bilateral meetings", "bilateral", "Room G409", [], [],
     "Closed slots for delegations; times by appointment."),
    ("MINISTERIAL", "2018-03-03", "14:00", "16:30", "Session 2: international cooperation and the way forward",
     "plenary", "Hall B7", ["aiko.tanaka@example.org"], ["omar.haddad@example.org", "priya.raman@example.org"], ""),
    ("MINISTERIAL", "2018-03-03", "16:30", "17:15", "Adoption of the joint statement", "plenary", "Hall B7",
     ["aiko.tanaka@example.org"], [], "The joint statement, the Tokyo Principles and the ISEF Terms of Reference."),
    ("MINISTERIAL", "2018-03-03", "17:15", "17:45", "Press conference", "press", "Room G510", [], [], ""),
    ("MINISTERIAL", "2018-03-03", "18:30", "20:00", "Reception", "reception", "Lounge", [], [], ""),
]

# name, kind, ISO 3166 code (countries), space agency. 40 countries and 5 organisations;
# 21 bring a space agency.
DELEGATIONS = [
    ("Japan", "country", "JP", "Japan Aerospace Exploration Agency (JAXA)"),
    ("United States", "country", "US", "National Aeronautics and Space Administration (NASA)"),
    ("Russian Federation", "country", "RU", "State Space Corporation Roscosmos"),
    ("China", "country", "CN", "China National Space Administration (CNSA)"),
    ("India", "country", "IN", "Indian Space Research Organisation (ISRO)"),
    ("France", "country", "FR", "Centre national d'études spatiales (CNES)"),
    ("Germany", "country", "DE", "German Aerospace Center (DLR)"),
    ("Italy", "country", "IT", "Italian Space Agency (ASI)"),
    ("United Kingdom", "country", "GB", "UK Space Agency"),
    ("Canada", "country", "CA", "Canadian Space Agency (CSA)"),
    ("Republic of Korea", "country", "KR", "Korea Aerospace Research Institute (KARI)"),
    ("United Arab Emirates", "country", "AE", "UAE Space Agency"),
    ("Brazil", "country", "BR", "Brazilian Space Agency (AEB)"),
    ("Mexico", "country", "MX", "Mexican Space Agency (AEM)"),
    ("Israel", "country", "IL", "Israel Space Agency"),
    ("Ukraine", "country", "UA", "State Space Agency of Ukraine"),
    ("Kazakhstan", "country", "KZ", "Kazcosmos"),
    ("Indonesia", "country", "ID", "National Institute of Aeronautics and Space (LAPAN)"),
    ("Thailand", "country", "TH", "Geo-Informatics and Space Technology Development Agency (GISTDA)"),
    ("South Africa", "country", "ZA", "South African National Space Agency (SANSA)"),
    ("European Space Agency", "organisation", None, "European Space Agency (ESA)"),
    ("Australia", "country", "AU", None),
    ("Austria", "country", "AT", None),
    ("Belgium", "country", "BE", None),
    ("Chile", "country", "CL", None),
    ("Colombia", "country", "CO", None),
    ("Czech Republic", "country", "CZ", None),
    ("Denmark", "country", "DK", None),
    ("Estonia", "country", "EE", None),
    ("Finland", "country", "FI", None),
    ("Hungary", "country", "HU", None),
    ("Ireland", "country", "IE", None),
    ("Luxembourg", "country", "LU", None),
    ("Mongolia", "country", "MN", None),
    ("Philippines", "country", "PH", None),
    ("Portugal", "country", "PT", None),
    ("Saudi Arabia", "country", "SA", None),
    ("Singapore", "country", "SG", None),
    ("Spain", "country", "ES", None),
    ("Switzerland", "country", "CH", None),
    ("Turkey", "country", "TR", None),
    ("European Union", "organisation", None, None),
    ("United Nations Office for Outer Space Affairs", "organisation", None, None),
    ("Asia-Pacific Space Cooperation Organization", "organisation", None, None),
    ("Committee on Space Research", "organisation", None, None),
]

# Registration rules per event (times local). Questions: (label, kind, choices, required).
REGISTRATION = {
    "Y-ISEF": dict(mode="open", opens="2018-01-15 09:00", closes="2018-02-23 17:00", capacity=150,
                   approval_required=True, min_age=18, max_age=35, questions=[
                       ("Your field of work", "single", ["Engineering", "Science", "Policy", "Business", "Other"], True),
                       ("Which working group interests you most?", "single", ["A: the Moon", "B: Mars and beyond",
                                                                              "C: benefits on Earth"], True),
                       ("Dietary requirements", "text", [], False),
                   ]),
    "I-ISEF": dict(mode="open", opens="2018-01-15 09:00", closes="2018-02-26 17:00", capacity=200,
                   approval_required=True, organisation_required=True, questions=[
                       ("Your company's sector", "multiple", ["Launch", "Spacecraft", "Ground systems",
                                                              "Services", "Finance"], False),
                       ("Would you like a business-matching slot?", "yes_no", [], True),
                   ]),
    "S-ISEF": dict(mode="open", opens="2018-01-15 09:00", closes="2018-02-16 17:00", capacity=100,
                   approval_required=True, min_age=15, max_age=18, allowed_countries=["JP"],
                   guardian_required=True, questions=[
                       ("Your school", "text", [], True),
                   ]),
    "MINISTERIAL": dict(mode="nomination", capacity=None),
}
# Seats per delegation at the ministerial meeting.
SEAT_QUOTA = {"country": 5, "organisation": 3}
