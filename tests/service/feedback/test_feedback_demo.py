"""The feedback demo step: realistic volume, fast, deterministic and idempotent."""

import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.factories import make_user, make_workspace

from producthq.demo.builder import DEMO_STEPS
from producthq.feedback.demo_data import add_feedback_demo
from producthq.feedback.models import Company, FeedbackItem, Person


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_demo_step_is_registered_and_builds_customers_and_feedback_once(session: Session) -> None:
    assert any(step is add_feedback_demo for _name, step in DEMO_STEPS)
    owner = make_user(session)
    ws = make_workspace(session, owner)
    started = time.perf_counter()
    add_feedback_demo(session, ws, owner, lambda _msg: None)
    session.commit()
    assert time.perf_counter() - started < 20
    assert (_count(session, Company), _count(session, Person), _count(session, FeedbackItem)) == (
        300,
        2000,
        5000,
    )
    # SSO requests grow: more in the last quarter than in the first one.
    rows = session.execute(select(FeedbackItem.text, FeedbackItem.occurred_at)).all()
    newest = max(at for _t, at in rows)
    sso = [at for t, at in rows if "SSO" in t or "sign-on" in t or "login?" in t]
    recent = sum(1 for at in sso if (newest - at).days < 91)
    oldest = sum(1 for at in sso if (newest - at).days >= 274)
    assert recent > 2 * oldest > 0
    add_feedback_demo(session, ws, owner, lambda _msg: None)
    assert _count(session, FeedbackItem) == 5000
