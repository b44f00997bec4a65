"""The demonstration forums in Japanese: each English title, description and name of ISEF2
and the open demo forum, and its Japanese. ``translate`` fills in what a forum lacks, so a
database loaded before the forums spoke Japanese gets it from ``flask seed-demo`` too."""

from __future__ import annotations

from collections.abc import Iterable

from planner.forums.models import Forum
from planner.translated import merged

LANGUAGE = "ja"

# English as the demo data writes it -> Japanese.
JAPANESE = {
    # ISEF2
    "2nd International Space Exploration Forum": "第2回国際宇宙探査フォーラム",
    "A ministerial-level meeting on international space exploration, with side events for young "
    "professionals, industry and Japanese high-school students. The next forum, ISEF3, is to be held "
    "in Europe.": (
        "国際宇宙探査に関する閣僚級会合と、若手専門家、産業界、日本の高校生を対象としたサイドイベントから"
        "なるフォーラムです。次回のISEF3は欧州で開催される予定です。"
    ),
    "Tokyo International Forum": "東京国際フォーラム",
    "Miraikan": "日本科学未来館",
    "Hall B7": "ホールB7",
    "Room G510": "G510会議室",
    "Room G409": "G409会議室",
    "Lounge": "ラウンジ",
    "Miraikan Hall": "未来館ホール",
    "Innovation Hall": "イノベーションホール",
    "Young Professionals ISEF": "Y-ISEF 若手専門家会合",
    "Student ISEF": "S-ISEF 高校生会合",
    "Industry ISEF": "I-ISEF 産業界会合",
    "Ministerial meeting": "閣僚級会合",
    "Welcome and introduction": "開会と趣旨説明",
    "Opening of Y-ISEF and the working method of the two days.": "Y-ISEFの開会と、2日間の進め方の説明です。",
    "Keynote: why explore together": "基調講演：なぜ共に探査するのか",
    "Coffee break": "コーヒーブレイク",
    "Working group A: the Moon as a next step": "分科会A：次の一歩としての月",
    "Working group B: Mars and beyond": "分科会B：火星とその先へ",
    "Working group C: benefits of exploration on Earth": "分科会C：宇宙探査が地上にもたらす恩恵",
    "Panel: careers in space exploration": "パネル討論：宇宙探査のキャリア",
    "Drafting the Y-ISEF recommendations": "Y-ISEF提言の起草",
    "Working groups turn their findings into recommendations.": "各分科会の議論の成果を提言にまとめます。",
    "Adoption of the Y-ISEF recommendations": "Y-ISEF提言の採択",
    "The recommendations are reported to the ministerial meeting.": "提言は閣僚級会合に報告されます。",
    "Opening for students": "高校生会合の開会",
    "Talk with astronauts and engineers": "宇宙飛行士・技術者との対話",
    "Student group work: a mission of our own": "グループワーク：自分たちのミッションを考えよう",
    "Students design a small exploration mission in teams.": (
        "生徒がチームに分かれて、小さな探査ミッションを設計します。"
    ),
    "Presentations by student teams": "各チームの発表",
    "Opening of the industry forum": "産業界会合の開会",
    "Panel: commercial partners in exploration": "パネル討論：宇宙探査における民間パートナー",
    "Panel: new players and start-ups": "パネル討論：新たな担い手とスタートアップ",
    "Networking lunch": "交流昼食会",
    "Business matching sessions": "ビジネスマッチング",
    "Summary of the industry forum": "産業界会合のまとめ",
    "The summary is reported to the ministerial meeting.": "まとめは閣僚級会合に報告されます。",
    "Opening ceremony": "開会式",
    "Reports from Y-ISEF, I-ISEF and S-ISEF": "Y-ISEF、I-ISEF、S-ISEFからの報告",
    "Session 1: the importance of space exploration": "セッション1：宇宙探査の重要性",
    "Statements by heads of delegation.": "代表団長によるステートメントです。",
    "Lunch": "昼食",
    "Bilateral meetings": "二国間会談",
    "Closed slots for delegations; times by appointment.": "代表団向けの非公開枠です。時間は事前調整により決まります。",
    "Session 2: international cooperation and the way forward": "セッション2：国際協力と今後の方向性",
    "Adoption of the joint statement": "共同声明の採択",
    "The joint statement, the Tokyo Principles and the ISEF Terms of Reference.": (
        "共同声明、国際宇宙探査に関する東京原則、ISEFの付託事項を採択します。"
    ),
    "Press conference": "記者会見",
    "Reception": "レセプション",
    # The open demo forum
    "Demonstration Space Exploration Forum": "デモ用宇宙探査フォーラム",
    "A fictitious forum to try planner on: apply to its side events, nominate a delegation to its "
    "ministerial meeting, organise its programme. Its dates were set when it was loaded.": (
        "plannerを試すための架空のフォーラムです。サイドイベントへの申込み、閣僚級会合への代表団員の推薦、"
        "プログラムの運営管理をお試しいただけます。日程は読み込んだ日に合わせて設定されています。"
    ),
    "Demo Convention Centre": "デモ・コンベンションセンター",
    "Plenary hall": "本会議場",
    "Room A": "会議室A",
    "Room B": "会議室B",
    "Foyer": "ホワイエ",
    "Studio": "スタジオ",
    "Young Professionals Workshop": "若手専門家ワークショップ",
    "Industry Day": "インダストリー・デー",
    "Public Evening Lecture": "一般向け夜間講演会",
    "Welcome": "開会",
    "Keynote: careers in exploration": "基調講演：宇宙探査のキャリア",
    "Working group: the Moon": "分科会：月",
    "Working group: Mars": "分科会：火星",
    "Recommendations to ministers": "閣僚への提言",
    "Panel: industry and agencies": "パネル討論：産業界と宇宙機関",
    "Business matching": "ビジネスマッチング",
    "Why we explore": "私たちはなぜ探査するのか",
    "Opening session": "開会セッション",
    "Statements of delegations": "各代表団のステートメント",
}

#: Which texts of each kind of row are translated.
FIELDS = {"forum": ("title", "description"), "event": ("title", "description"), "session": ("title", "description")}


def _missing(obj: object, fields: Iterable[str]) -> dict[str, str]:
    """The Japanese of ``fields`` the row has in English but not yet in Japanese."""
    have = (getattr(obj, "translations", None) or {}).get(LANGUAGE, {})
    return {name: JAPANESE[text] for name in fields if (text := getattr(obj, name)) in JAPANESE and not have.get(name)}


def translate(forum: Forum) -> int:
    """Give the demo forum Japanese as its second language and the Japanese of every text it
    lacks; leaves what an organiser typed alone. How many texts it added (0 the second time)."""
    added = 0
    if LANGUAGE not in forum.languages:
        forum.languages = [*forum.languages, LANGUAGE]
    rows: list[tuple[object, Iterable[str]]] = [(forum, FIELDS["forum"])]
    for venue in forum.venues:
        rows.append((venue, ("name",)))
        rows.extend((room, ("name",)) for room in venue.rooms)
    for event in forum.events:
        rows.append((event, FIELDS["event"]))
        rows.extend((session, FIELDS["session"]) for session in event.sessions)
    for obj, fields in rows:
        if missing := _missing(obj, fields):
            obj.translations = merged(obj.translations, {LANGUAGE: missing})  # type: ignore[attr-defined]
            added += len(missing)
    return added
