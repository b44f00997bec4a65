"""``Idempotency-Key`` on the API's writes: a write sent again with the same key gets the
first answer again and changes nothing twice.

The key is claimed (inserted) before the write runs, in the write's own transaction: a
second request with the same key waits on the unique index until the first one ends, then
finds its answer; if the first one was refused (4xx) or failed, its claim was rolled back with
it and the second one runs afresh. A key sent with another body or to another address is a
mistake of the client, refused with 422. Keys are kept for a day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from planner.api.models import ApiToken, IdempotentRequest
from planner.db import utcnow
from planner.extensions import db

KEPT_FOR = dt.timedelta(days=1)
_KEY = re.compile(r"[\x21-\x7e]{1,200}")  # printable ASCII, no spaces: a UUID fits


class KeyRefused(ValueError):
    """The key is malformed, or was used for another request; the message says which."""


@dataclass(frozen=True)
class Replay:
    status: int
    body: str


def request_hash(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\0".join([method.encode(), path.encode(), body])).hexdigest()


def valid_key(key: str) -> bool:
    return bool(_KEY.fullmatch(key))


def claim(token: ApiToken, key: str, method: str, path: str, digest: str) -> IdempotentRequest | Replay:
    """The claim to fill with the answer, or the earlier answer to send again."""
    now = utcnow()
    db.session.execute(
        delete(IdempotentRequest).where(
            IdempotentRequest.token_id == token.id, IdempotentRequest.created_at < now - KEPT_FOR
        )
    )
    claimed = IdempotentRequest(
        token_id=token.id, key=key, method=method, path=path, request_hash=digest, status_code=0, response_body=""
    )
    try:
        with db.session.begin_nested():
            db.session.add(claimed)
    except IntegrityError:
        earlier = db.session.scalar(
            select(IdempotentRequest).where(IdempotentRequest.token_id == token.id, IdempotentRequest.key == key)
        )
        if earlier is None:  # claimed and rolled back meanwhile: a refusal; the client may retry
            raise KeyRefused("in-flight") from None
        if earlier.request_hash != digest:
            raise KeyRefused("reused") from None
        return Replay(earlier.status_code, earlier.response_body)
    return claimed


def fill(claimed: IdempotentRequest, status: int, body: str) -> None:
    claimed.status_code = status
    claimed.response_body = body
