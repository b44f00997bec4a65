"""What the tests of times typed on a forum's clocks share (sessions, events, registration rules,
the speakers' list's and the focal points' deadlines)."""

from __future__ import annotations

import re

# Paris: summer time starts at 02:00 on 29 March 2026 (02:00 to 03:00 does not exist) and ends
# at 03:00 on 25 October 2026 (02:00 to 03:00 happens twice).
SKIPPED, REPEATED = "2026-03-29T02:30", "2026-10-25T02:30"
#: The second of a repeated time, ticked in the page's choice.
CHOSEN = re.compile(r'<input[^>]*checked[^>]*value="1"|<input[^>]*value="1"[^>]*checked')
