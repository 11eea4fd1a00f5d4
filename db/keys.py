"""Record keys: derived keys that always fit their column, and question ids in one spelling."""

from __future__ import annotations

import hashlib
import re

HASH_LENGTH = 8  # hex digits of sha256: a collision between two long keys is ~1 in 4 billion


def bounded_key(raw: str, limit: int) -> str:
    """`raw` if it fits in `limit` characters (so existing keys never change); otherwise its start
    and '-' + a short hash of all of it, so two long keys with the same start stay distinct."""
    if len(raw) <= limit:
        return raw
    digest = hashlib.sha256(raw.encode()).hexdigest()[:HASH_LENGTH]
    return f"{raw[: limit - HASH_LENGTH - 1].rstrip('-')}-{digest}"


QUESTION_PREFIXES = ("OQ", "GQ")  # the shared dataset's questions, and a guild's own
_QUESTION_ID = re.compile(r"(OQ|GQ)[\s_-]*0*([0-9]+)", re.IGNORECASE)


def question_id(raw: str) -> str:
    """One spelling of a question id: 'oq-1', 'OQ1', 'oq 1' and ' OQ-01 ' are all 'OQ-1' (GQ
    likewise). Other ids (imported ones such as 'Q-1') are only trimmed: they stay legal."""
    text = raw.strip()
    if match := _QUESTION_ID.fullmatch(text):
        prefix, digits = match.groups()
        return f"{prefix.upper()}-{digits}"
    return text


def question_number(key: str, prefix: str) -> int | None:
    """n for a key 'PREFIX-n' in its one spelling, else None."""
    match = re.fullmatch(rf"{prefix}-([0-9]+)", key)
    return int(match.group(1)) if match else None
