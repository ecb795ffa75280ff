"""Catalogue services on SQLite and PostgreSQL: products, components, features, import, export."""

import csv
import io
import json

import pytest
from sqlalchemy.orm import Session
from tests.factories import make_user, make_workspace

from producthq.accounts.models import Workspace
from producthq.audit.service import Actor
from producthq.catalog import links, service
from producthq.catalog.schemas import (
    ComponentCreate,
    FeatureCreate,
    FeatureFilter,
    FeatureUpdate,
    ProductCreate,
)
from producthq.errors import ConflictError, InvalidInputError, NotFoundError
from producthq.prioritization import service as prioritization
from producthq.strategy import okrs
from producthq.strategy.schemas import ObjectiveCreate


@pytest.fixture
def ws(session: Session) -> tuple[Workspace, Actor]:
    owner = make_user(session)
    workspace = make_workspace(session, owner)
    return workspace, Actor(owner.id, owner.email, workspace.id, "owner")


def test_products_components_and_features_filter_by_each_field(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, actor = ws
    app = service.create_product(session, actor=actor, data=ProductCreate(name="App"))
    api = service.create_product(session, actor=actor, data=ProductCreate(name="API"))
    mobile = service.create_component(
        session, actor=actor, data=ComponentCreate(product_id=app.id, name="Mobile")
    )
    with pytest.raises(ConflictError):
        service.create_product(session, actor=actor, data=ProductCreate(name="app"))
    a = service.create_feature(
        session,
        actor=actor,
        data=FeatureCreate(title="Offline mode", component_id=mobile.id, tags=["mobile", "Mobile"]),
    )
    b = service.create_feature(
        session,
        actor=actor,
        data=FeatureCreate(title="Rate limits", product_id=api.id, status="planned", owner="Ana"),
    )
    assert a.product_id == app.id  # the component implies its product
    assert a.tags == ["mobile"]  # repeated tags (case-insensitive) dropped
    ws_id = workspace.id

    def titles(**kw: object) -> list[str]:
        f = FeatureFilter.model_validate(kw)
        return [x.title for x in service.filter_features(session, workspace_id=ws_id, filters=f)]

    assert titles(product_id=app.id) == ["Offline mode"]
    assert titles(component_id=mobile.id) == ["Offline mode"]
    assert titles(status="planned") == ["Rate limits"]
    assert titles(tag="MOBILE") == ["Offline mode"]
    assert titles(q="rate") == ["Rate limits"]
    assert titles() == ["Offline mode", "Rate limits"]
    objective = okrs.create_objective(
        session, actor=actor, data=ObjectiveCreate(title="Grow", period="2026-Q4")
    )
    links.link_objective(session, actor=actor, feature_id=b.id, objective_id=objective.id)
    assert titles(objective_id=objective.id) == ["Rate limits"]
    # A component of another product is refused.
    with pytest.raises(InvalidInputError):
        service.update_feature(
            session,
            actor=actor,
            feature_id=b.id,
            data=FeatureUpdate(product_id=api.id, component_id=mobile.id),
        )
    service.update_feature(session, actor=actor, feature_id=b.id, data=FeatureUpdate(owner=None))
    assert b.owner is None
    service.delete_product(session, actor=actor, product_id=app.id)
    assert a.product_id is None and a.component_id is None
    service.delete_feature(session, actor=actor, feature_id=b.id)
    assert links.objectives_of(session, workspace_id=ws_id, feature_id=b.id) == []
    with pytest.raises(NotFoundError):
        service.get_feature(session, workspace_id=ws_id, feature_id=b.id)


JIRA = (
    "Summary,Issue key,Status,Assignee,Labels,Labels,Component/s,Project name,Description\n"
    "SSO with Okta,PHQ-1,To Do,Maya,security,enterprise,Auth,Platform,Needs **SAML**\n"
    "CSV export,PHQ-2,In Progress,Leo,export,,Reports,Platform,\n"
    "Dark mode,PHQ-3,Done,,ui,,,Web,\n"
)


def test_jira_preset_maps_columns_joins_repeated_labels_and_creates_products(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, actor = ws
    result = service.import_features(session, actor=actor, text=JIRA, preset="jira")
    assert result.created == 3
    assert result.products_created == 2  # Platform, Web
    assert result.components_created == 2  # Auth, Reports (both in Platform)
    sso = service.get_feature(session, workspace_id=workspace.id, feature_id=result.feature_ids[0])
    assert (sso.title, sso.external_id, sso.status, sso.owner) == (
        "SSO with Okta",
        "PHQ-1",
        "idea",
        "Maya",
    )
    assert sso.tags == ["security", "enterprise"]
    statuses = [
        service.get_feature(session, workspace_id=workspace.id, feature_id=i).status
        for i in result.feature_ids
    ]
    assert statuses == ["idea", "in_progress", "shipped"]


def test_import_reports_every_bad_row_and_writes_nothing(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, actor = ws
    text = (
        "title,status,reach,effort\n"
        "Good one,idea,100,2\n"
        ",planned,10,1\n"  # row 3: no title
        "Bad status,maybe,10,1\n"  # row 4
        "Bad reach,idea,-5,1\n"  # row 5
        "Bad effort,idea,10,0\n"  # row 6: effort must be > 0
        "Bad range,idea,800..200,1\n"  # row 7
    )
    with pytest.raises(InvalidInputError) as err:
        service.import_features(session, actor=actor, text=text)
    where = [tuple(p.loc) for p in err.value.details]
    assert where == [
        (3, "title"),
        (4, "status"),
        (5, "rice.reach"),
        (6, "rice.effort"),
        (7, "rice.reach"),
    ]
    assert service.filter_features(session, workspace_id=workspace.id) == []


@pytest.mark.parametrize(
    ("overrides", "preset", "loc"),
    [
        pytest.param({"Nope": "title"}, None, ("mapping", "Nope"), id="unknown-column"),
        pytest.param({"Name": "colour"}, None, ("mapping", "Name"), id="unknown-field"),
        pytest.param({"Name": "ignore"}, None, ("mapping", "title"), id="no-title"),
        pytest.param({}, "asana", ("preset",), id="unknown-preset"),
    ],
)
def test_import_mapping_errors_name_the_column(
    session: Session,
    ws: tuple[Workspace, Actor],
    overrides: dict[str, str],
    preset: str | None,
    loc: tuple[str, ...],
) -> None:
    _workspace, actor = ws
    with pytest.raises(InvalidInputError) as err:
        service.import_features(
            session, actor=actor, text="Name\nA\n", preset=preset, overrides=overrides
        )
    assert tuple(err.value.details[0].loc) == loc


def test_map_option_sends_a_column_to_an_estimate_and_ranges_are_kept(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, actor = ws
    text = "Idea,Customers,Months\nA,200..800@0.8,2\n"
    result = service.import_features(
        session,
        actor=actor,
        text=text,
        overrides={"Idea": "title", "Customers": "rice.reach", "Months": "rice.effort"},
    )
    stored = prioritization.estimates_by_feature(
        session, workspace_id=workspace.id, feature_ids=result.feature_ids
    )
    assert stored[result.feature_ids[0]] == {"rice.reach": "200..800@0.8", "rice.effort": "2"}


def test_export_guards_formulas_and_round_trips_through_import(
    session: Session, ws: tuple[Workspace, Actor]
) -> None:
    workspace, actor = ws
    text = "title,tags,reach,impact,confidence,effort\n=HYPERLINK(1),a;b,100,2,80%,1..3\n"
    service.import_features(session, actor=actor, text=text)
    rows, columns = service.export_rows(session, workspace_id=workspace.id)
    out = list(csv.DictReader(io.StringIO(service.export_csv(rows, columns))))
    assert out[0]["title"] == "'=HYPERLINK(1)"
    assert out[0]["tags"] == "a, b"
    assert out[0]["rice.confidence"] == "0.8"
    assert out[0]["rice.effort"] == "1..3@0.9"
    data = json.loads(service.export_json(rows, columns))
    assert data[0]["title"] == "=HYPERLINK(1)"  # JSON is not a spreadsheet: kept as is
    # Re-import the export into a second workspace: same features, same estimates.
    other = make_workspace(session, make_user(session, "b@example.com"), "other", "Other")
    actor_b = Actor(actor.user_id, "b", other.id, "owner")
    csv_text = service.export_csv(rows, columns).replace("'=HYPERLINK", "=HYPERLINK")
    again = service.import_features(session, actor=actor_b, text=csv_text)
    rows_b, _ = service.export_rows(session, workspace_id=other.id)
    keep = ("title", "tags", "rice.reach", "rice.impact", "rice.confidence", "rice.effort")
    assert [{k: r[k] for k in keep} for r in rows_b] == [{k: r[k] for k in keep} for r in rows]
    assert again.created == 1
