"""Reading a feature status written by a person or another tool (pure).

The six statuses are ProductHQ's; the synonyms cover the usual values of Jira workflows,
Productboard and airfocus status columns.
"""

from __future__ import annotations

import re

SYNONYMS: dict[str, str] = {
    "idea": "idea",
    "new": "idea",
    "open": "idea",
    "backlog": "idea",
    "to do": "idea",
    "todo": "idea",
    "candidate": "idea",
    "inbox": "idea",
    "under consideration": "under_consideration",
    "considering": "under_consideration",
    "in review": "under_consideration",
    "evaluating": "under_consideration",
    "discovery": "under_consideration",
    "in discovery": "under_consideration",
    "planned": "planned",
    "next": "planned",
    "ready": "planned",
    "selected for development": "planned",
    "later": "planned",
    "in progress": "in_progress",
    "doing": "in_progress",
    "in development": "in_progress",
    "now": "in_progress",
    "shipped": "shipped",
    "done": "shipped",
    "released": "shipped",
    "closed": "shipped",
    "complete": "shipped",
    "completed": "shipped",
    "won't do": "wont_do",
    "wont do": "wont_do",
    "won't fix": "wont_do",
    "rejected": "wont_do",
    "declined": "wont_do",
    "archived": "wont_do",
}


def parse_status(text: str) -> str | None:
    """Return the status a text names, ``idea`` for an empty one, ``None`` if unknown.

    Examples:
        >>> [parse_status(t) for t in ("In Progress", "won’t do", "", "Selected for Development")]
        ['in_progress', 'wont_do', 'idea', 'planned']
        >>> parse_status("maybe") is None
        True
    """
    key = re.sub(r"[\s_\-]+", " ", text.replace("\u2019", "'")).strip().lower()
    if not key:
        return "idea"
    return SYNONYMS.get(key)
