"""File imports on SQLite and PostgreSQL: presets, bad rows, idempotence, e-mail files."""

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from tests.factories import make_user, make_workspace

from producthq.errors import InvalidInputError
from producthq.feedback import company_import, importers
from producthq.feedback.models import Company, FeedbackItem, Person

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "feedback_import"


@pytest.fixture
def ws_id(session: Session) -> int:
    ws = make_workspace(session, make_user(session))
    session.commit()
    return ws.id


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _items(session: Session) -> list[FeedbackItem]:
    return list(session.scalars(select(FeedbackItem).order_by(FeedbackItem.id)))


@pytest.mark.parametrize(
    ("filename", "preset", "rows", "created", "source"),
    [
        pytest.param("zendesk.csv", "zendesk", 3, 3, "support_ticket", id="zendesk"),
        pytest.param("intercom.csv", "intercom", 2, 2, "chat", id="intercom"),
        pytest.param("productboard.csv", "productboard", 2, 2, "manual", id="productboard"),
        # Google Play's export is UTF-16; the star-only review (no text) is skipped.
        pytest.param("google_play_reviews.csv", "app-reviews", 3, 2, "app_review", id="reviews"),
    ],
)
def test_each_feedback_preset_imports_its_export_once(
    session: Session, ws_id: int, filename: str, preset: str, rows: int, created: int, source: str
) -> None:
    result = importers.import_feedback_file(
        session, actor=None, workspace_id=ws_id, path=FIXTURES / filename, preset=preset
    )
    session.commit()
    assert (result.rows, result.created, result.skipped) == (rows, created, 0)
    items = _items(session)
    assert len(items) == created
    assert {i.source for i in items} == {source}
    assert all(i.occurred_at.tzinfo is not None for i in items)

    again = importers.import_feedback_file(
        session, actor=None, workspace_id=ws_id, path=FIXTURES / filename, preset=preset
    )
    session.commit()
    assert (again.created, again.skipped) == (0, created)
    assert _count(session, FeedbackItem) == created


def test_zendesk_preset_maps_subject_description_requester_and_space_separated_tags(
    session: Session, ws_id: int
) -> None:
    importers.import_feedback_file(
        session, actor=None, workspace_id=ws_id, path=FIXTURES / "zendesk.csv", preset="zendesk"
    )
    first = _items(session)[0]
    assert first.external_id == "1001"
    assert first.title == "Dashboards are slow"
    assert first.text.startswith("The main dashboard takes 30 seconds")
    assert first.tags == ["performance", "dashboards"]
    assert first.status == "new"  # Zendesk's own status is kept as an extra value
    assert first.extra["ticket_status"] == "open"
    assert first.occurred_at.isoformat() == "2024-03-01T09:15:00+00:00"
    person = session.get(Person, first.person_id)
    company = session.get(Company, first.company_id)
    assert person is not None and person.email == "ann@globex.com"
    assert company is not None and company.name == "Globex" and company.domain == "globex.com"
    # Ann wrote two tickets: one person, one company.
    assert _count(session, Person) == 2
    assert _count(session, Company) == 2


def test_app_review_rating_and_version_are_kept_as_extra_values(
    session: Session, ws_id: int
) -> None:
    importers.import_feedback_file(
        session,
        actor=None,
        workspace_id=ws_id,
        path=FIXTURES / "google_play_reviews.csv",
        preset="app-reviews",
    )
    crash = _items(session)[0]
    assert crash.extra["rating"] == "1"
    assert crash.extra["app_version"] == "4.1.2"
    assert crash.source_url is not None and crash.source_url.startswith("https://play.google.com")


def test_json_lines_with_an_explicit_column_mapping(session: Session, ws_id: int) -> None:
    mapping = {
        "text": "body",
        "occurred_at": "when",
        "author_email": "who",
        "tags": "labels",
        "external_id": "id",
    }
    result = importers.import_feedback_file(
        session, actor=None, workspace_id=ws_id, path=FIXTURES / "plain.jsonl", overrides=mapping
    )
    assert result.created == 2
    items = _items(session)
    assert items[0].tags == ["export", "performance"]
    assert items[0].external_id == "j1"


def test_bad_rows_are_all_reported_with_file_row_and_column_and_nothing_is_written(
    session: Session, ws_id: int
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        importers.import_feedback_file(
            session, actor=None, workspace_id=ws_id, path=FIXTURES / "bad_feedback.csv"
        )
    session.rollback()
    problems = {p.loc: p.message for p in caught.value.details}
    assert set(problems) == {
        ("bad_feedback.csv", 3, "text"),
        ("bad_feedback.csv", 4, "occurred_at"),
        ("bad_feedback.csv", 5, "source"),
        ("bad_feedback.csv", 5, "author_email"),
    }
    assert "'yesterday-ish' is not a date" in problems[("bad_feedback.csv", 4, "occurred_at")]
    assert "'carrier_pigeon' is not one of" in problems[("bad_feedback.csv", 5, "source")]
    assert "4 problem(s)" in caught.value.message
    assert _count(session, FeedbackItem) == 0
    assert _count(session, Person) == 0


def test_company_import_rejects_negative_arr_and_missing_name(session: Session, ws_id: int) -> None:
    with pytest.raises(InvalidInputError) as caught:
        company_import.import_companies_file(
            session,
            actor=None,
            workspace_id=ws_id,
            path=FIXTURES / "bad_companies.csv",
            preset="salesforce",
        )
    session.rollback()
    messages = {p.loc: p.message for p in caught.value.details}
    assert messages[("bad_companies.csv", 3, "ARR")] == (
        "row 3, column 'ARR': '-5' is negative; ARR must be 0 or more"
    )
    assert ("bad_companies.csv", 3, "Account Name") in messages
    assert ("bad_companies.csv", 4, "ARR") in messages
    assert _count(session, Company) == 0


def test_unknown_mapping_column_is_reported_before_reading_rows(
    session: Session, ws_id: int
) -> None:
    with pytest.raises(InvalidInputError, match="column 'Nope'"):
        importers.import_feedback_file(
            session,
            actor=None,
            workspace_id=ws_id,
            path=FIXTURES / "zendesk.csv",
            overrides={"text": "Nope"},
        )


@pytest.mark.parametrize(
    ("filename", "preset", "fields"),
    [
        pytest.param(
            "hubspot_companies.csv",
            "hubspot",
            {"name": "Globex", "domain": "globex.com", "arr": 48000.0, "external_id": "9001"},
            id="hubspot",
        ),
        pytest.param(
            "salesforce_accounts.csv",
            "salesforce",
            {"name": "Umbrella", "domain": "umbrella.io", "arr": 120000.0, "segment": "Enterprise"},
            id="salesforce",
        ),
    ],
)
def test_company_presets_import_and_reimport_changes_nothing(
    session: Session, ws_id: int, filename: str, preset: str, fields: dict[str, object]
) -> None:
    run = {"actor": None, "workspace_id": ws_id, "path": FIXTURES / filename, "preset": preset}
    first = company_import.import_companies_file(session, **run)  # type: ignore[arg-type]
    assert (first.created, first.updated) == (2, 0)
    company = session.scalar(select(Company).where(Company.name == fields["name"]))
    assert company is not None
    for key, value in fields.items():
        assert getattr(company, key) == value
    assert "industry" in company.custom_fields
    again = company_import.import_companies_file(session, **run)  # type: ignore[arg-type]
    assert (again.created, again.updated, again.skipped) == (0, 0, 2)


def test_companies_from_feedback_are_completed_by_a_crm_import(
    session: Session, ws_id: int
) -> None:
    importers.import_feedback_file(
        session, actor=None, workspace_id=ws_id, path=FIXTURES / "zendesk.csv", preset="zendesk"
    )
    company_import.import_companies_file(
        session,
        actor=None,
        workspace_id=ws_id,
        path=FIXTURES / "hubspot_companies.csv",
        preset="hubspot",
    )
    globex = list(session.scalars(select(Company).where(Company.domain == "globex.com")))
    assert len(globex) == 1
    assert globex[0].external_id == "9001" and globex[0].arr == 48000.0


def test_mbox_import_strips_quotes_signatures_and_html(session: Session, ws_id: int) -> None:
    result = importers.import_feedback_file(
        session, actor=None, workspace_id=ws_id, path=FIXTURES / "inbox.mbox"
    )
    assert result.created == 2
    sso, crash = _items(session)
    assert (sso.title, sso.text) == ("SSO please", "We need Okta SSO before renewal.")
    assert sso.source == "email" and sso.external_id == "m1@wayne.example"
    assert crash.text == "The Android app crashes on login."
    person = session.get(Person, sso.person_id)
    assert person is not None and (person.name, person.email) == ("Gus", "gus@wayne.example")
    again = importers.import_feedback_file(
        session, actor=None, workspace_id=ws_id, path=FIXTURES / "inbox.mbox"
    )
    assert again.created == 0


def test_eml_import_drops_the_quoted_reply_and_signature(session: Session, ws_id: int) -> None:
    importers.import_feedback_file(
        session, actor=None, workspace_id=ws_id, path=FIXTURES / "thread.eml"
    )
    (item,) = _items(session)
    assert item.title == "Weekly export keeps failing"
    assert item.text == "Hi team,\n\nThe weekly CSV export has failed three times this month."
    assert item.occurred_at.isoformat() == "2024-06-04T09:30:00+00:00"


def test_rows_without_external_id_are_keyed_by_content(
    session: Session, ws_id: int, tmp_path: Path
) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("text,author_email\nSlow exports,a@b.co\nSlow exports,c@d.co\n")
    assert (
        importers.import_feedback_file(session, actor=None, workspace_id=ws_id, path=path).created
        == 2
    )
    path.write_text("text,author_email\nSlow exports,a@b.co\nNew idea,a@b.co\n")
    result = importers.import_feedback_file(session, actor=None, workspace_id=ws_id, path=path)
    assert (result.created, result.skipped) == (1, 1)
