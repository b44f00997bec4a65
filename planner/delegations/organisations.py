"""The site's kept list of international organisations (``InternationalOrganisation``): the
list a new site starts with, which administrators then edit."""

from __future__ import annotations

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


def starting_rows() -> list[dict[str, object]]:
    """The starting list as rows of ``international_organisations``."""
    return [
        {"acronym": acronym, "name": name, "is_space_agency": agency, "translations": {"ja": {"name": japanese}}}
        for acronym, name, japanese, agency in STARTING_LIST
    ]
