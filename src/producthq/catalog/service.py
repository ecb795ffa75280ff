"""Use cases of the feature catalogue: products, components, features, links, import, export.

Functions flush, never commit: the caller's unit of work commits once.
"""

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from producthq.audit.service import Actor, record
from producthq.catalog.csv_import import ImportRow, read_table, resolve_mapping, validate_rows
from producthq.catalog.models import Component, Feature, Product
from producthq.catalog.schemas import (
    ComponentCreate,
    ComponentUpdate,
    FeatureCreate,
    FeatureFilter,
    FeatureUpdate,
    ImportResult,
    ProductCreate,
    ProductUpdate,
)
from producthq.errors import ConflictError, InvalidInputError, NotFoundError
from producthq.prioritization.uncertainty import Estimate

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _workspace_id(session: Session, actor: Actor | None) -> int:
    if actor is not None:
        return actor.workspace_id
    scoped = session.info.get("workspace_id")
    if scoped is None:
        raise NotFoundError("no workspace given")
    return int(scoped)


def _audit(
    session: Session, actor: Actor | None, ws: int, action: str, kind: str, oid: int, summary: str
) -> None:
    record(
        session,
        actor=actor,
        workspace_id=ws,
        action=action,
        object_type=kind,
        object_id=oid,
        summary=summary[:300],
    )


# --- products and components -------------------------------------------------------------


def list_products(session: Session, *, workspace_id: int) -> list[Product]:
    """Return the workspace's products by name."""
    return list(
        session.scalars(
            select(Product).where(Product.workspace_id == workspace_id).order_by(Product.name)
        )
    )


def get_product(session: Session, *, workspace_id: int, product_id: int) -> Product:
    """Return a product; raise ``NotFoundError`` if the workspace has none with this id."""
    product = session.scalar(
        select(Product).where(Product.id == product_id, Product.workspace_id == workspace_id)
    )
    if product is None:
        raise NotFoundError(f"product {product_id} does not exist")
    return product


def _product_named(session: Session, workspace_id: int, name: str) -> Product | None:
    return session.scalar(
        select(Product).where(
            Product.workspace_id == workspace_id, func.lower(Product.name) == name.lower()
        )
    )


def create_product(session: Session, *, actor: Actor, data: ProductCreate) -> Product:
    """Add a product.

    Raises:
        ConflictError: the workspace already has a product of that name.
    """
    ws = actor.workspace_id
    if _product_named(session, ws, data.name) is not None:
        raise ConflictError(f"a product named {data.name!r} already exists")
    product = Product(workspace_id=ws, name=data.name, description=data.description)
    session.add(product)
    session.flush()
    _audit(session, actor, ws, "create", "product", product.id, f"created product {data.name}")
    return product


def update_product(
    session: Session, *, actor: Actor, product_id: int, data: ProductUpdate
) -> Product:
    """Rename a product or change its description."""
    ws = actor.workspace_id
    product = get_product(session, workspace_id=ws, product_id=product_id)
    if data.name is not None and data.name != product.name:
        other = _product_named(session, ws, data.name)
        if other is not None and other.id != product.id:
            raise ConflictError(f"a product named {data.name!r} already exists")
        product.name = data.name
    if data.description is not None:
        product.description = data.description
    session.flush()
    _audit(session, actor, ws, "update", "product", product.id, f"updated product {product.name}")
    return product


def delete_product(session: Session, *, actor: Actor, product_id: int) -> None:
    """Delete a product and its components; its features stay, without a product."""
    ws = actor.workspace_id
    product = get_product(session, workspace_id=ws, product_id=product_id)
    for feature in session.scalars(select(Feature).where(Feature.product_id == product.id)):
        feature.product_id = None
        feature.component_id = None
    session.flush()
    session.execute(delete(Component).where(Component.product_id == product.id))
    session.delete(product)
    session.flush()
    _audit(session, actor, ws, "delete", "product", product_id, f"deleted product {product.name}")


def list_components(
    session: Session, *, workspace_id: int, product_id: int | None = None
) -> list[Component]:
    """Return components by product, then name."""
    query = select(Component).where(Component.workspace_id == workspace_id)
    if product_id is not None:
        query = query.where(Component.product_id == product_id)
    return list(session.scalars(query.order_by(Component.product_id, Component.name)))


def get_component(session: Session, *, workspace_id: int, component_id: int) -> Component:
    """Return a component; raise ``NotFoundError`` if there is none with this id."""
    comp = session.scalar(
        select(Component).where(
            Component.id == component_id, Component.workspace_id == workspace_id
        )
    )
    if comp is None:
        raise NotFoundError(f"component {component_id} does not exist")
    return comp


def _component_named(session: Session, product_id: int, name: str) -> Component | None:
    return session.scalar(
        select(Component).where(
            Component.product_id == product_id, func.lower(Component.name) == name.lower()
        )
    )


def create_component(session: Session, *, actor: Actor, data: ComponentCreate) -> Component:
    """Add a component to a product.

    Raises:
        NotFoundError: the product does not exist.
        ConflictError: the product already has a component of that name.
    """
    ws = actor.workspace_id
    product = get_product(session, workspace_id=ws, product_id=data.product_id)
    if _component_named(session, product.id, data.name) is not None:
        raise ConflictError(f"{product.name} already has a component named {data.name!r}")
    comp = Component(workspace_id=ws, product_id=product.id, name=data.name)
    session.add(comp)
    session.flush()
    _audit(session, actor, ws, "create", "component", comp.id, f"created component {data.name}")
    return comp


def update_component(
    session: Session, *, actor: Actor, component_id: int, data: ComponentUpdate
) -> Component:
    """Rename a component."""
    ws = actor.workspace_id
    comp = get_component(session, workspace_id=ws, component_id=component_id)
    if data.name is not None and data.name != comp.name:
        other = _component_named(session, comp.product_id, data.name)
        if other is not None and other.id != comp.id:
            raise ConflictError(f"the product already has a component named {data.name!r}")
        comp.name = data.name
    session.flush()
    _audit(session, actor, ws, "update", "component", comp.id, f"renamed component {comp.name}")
    return comp


def delete_component(session: Session, *, actor: Actor, component_id: int) -> None:
    """Delete a component; its features stay in the product, without a component."""
    ws = actor.workspace_id
    comp = get_component(session, workspace_id=ws, component_id=component_id)
    for feature in session.scalars(select(Feature).where(Feature.component_id == comp.id)):
        feature.component_id = None
    session.delete(comp)
    session.flush()
    _audit(session, actor, ws, "delete", "component", component_id, f"deleted {comp.name}")


# --- features ----------------------------------------------------------------------------


def _check_placement(
    session: Session, ws: int, product_id: int | None, component_id: int | None
) -> int | None:
    """Validate product/component ids; return the product implied by the component."""
    if product_id is not None:
        get_product(session, workspace_id=ws, product_id=product_id)
    if component_id is None:
        return product_id
    comp = get_component(session, workspace_id=ws, component_id=component_id)
    if product_id is not None and comp.product_id != product_id:
        raise InvalidInputError.single(
            ("component_id",), f"component {component_id} belongs to another product"
        )
    return comp.product_id


def create_feature(session: Session, *, actor: Actor | None, data: FeatureCreate) -> Feature:
    """Create a feature in the actor's workspace.

    Args:
        session: The unit of work.
        actor: Who creates it (``None`` for the system); its workspace owns the feature.
        data: The feature's fields; a component implies its product.

    Returns:
        The new feature, flushed (it has an id).

    Raises:
        NotFoundError: the product or component does not exist in the workspace.
        InvalidInputError: the component belongs to another product.
    """
    ws = _workspace_id(session, actor)
    product_id = _check_placement(session, ws, data.product_id, data.component_id)
    feature = Feature(
        workspace_id=ws,
        title=data.title,
        description=data.description,
        status=data.status.value,
        product_id=product_id,
        component_id=data.component_id,
        owner=data.owner or None,
        tags=list(data.tags),
        external_id=data.external_id,
    )
    session.add(feature)
    session.flush()
    _audit(session, actor, ws, "create", "feature", feature.id, f"created feature {feature.title}")
    return feature


def find_feature(session: Session, *, workspace_id: int, feature_id: int) -> Feature | None:
    """Return the workspace's feature with this id, or ``None``."""
    return session.scalar(
        select(Feature).where(Feature.id == feature_id, Feature.workspace_id == workspace_id)
    )


def get_feature(session: Session, *, workspace_id: int, feature_id: int) -> Feature:
    """Return the workspace's feature with this id; raise ``NotFoundError`` otherwise."""
    feature = find_feature(session, workspace_id=workspace_id, feature_id=feature_id)
    if feature is None:
        raise NotFoundError(f"feature {feature_id} does not exist")
    return feature


def objective_feature_ids(session: Session, *, workspace_id: int, objective_id: int) -> set[int]:
    """Return the ids of the features linked to an objective (strategy's links)."""
    from producthq.strategy import okrs

    objective = okrs.get_objective(session, workspace_id=workspace_id, objective_id=objective_id)
    return {lk.target_id for lk in objective.links if lk.target_type == "feature"}


def filter_features(
    session: Session, *, workspace_id: int, filters: FeatureFilter | None = None
) -> list[Feature]:
    """Return every feature matching the filters, by title then id."""
    f = filters or FeatureFilter()
    query = _filtered(session, workspace_id, f, select(Feature))
    rows = list(session.scalars(query.order_by(Feature.title, Feature.id)))
    if f.tag:
        wanted = f.tag.strip().lower()
        rows = [r for r in rows if any(t.lower() == wanted for t in r.tags or [])]
    return rows


def filter_feature_rows(
    session: Session, *, workspace_id: int, filters: FeatureFilter | None = None
) -> list[tuple[int, str, str]]:
    """Return ``(id, title, status)`` of the features matching the filters, by title then id.

    The same filter as ``filter_features`` without loading ORM objects (ranking reads only
    these three columns of every feature).
    """
    f = filters or FeatureFilter()
    query = _filtered(session, workspace_id, f, select(Feature.id, Feature.title, Feature.status))
    if f.tag:
        query = query.add_columns(Feature.tags)
    out: list[tuple[int, str, str]] = []
    wanted = (f.tag or "").strip().lower()
    for row in session.execute(query.order_by(Feature.title, Feature.id)):
        if wanted and not any(t.lower() == wanted for t in row[3] or []):
            continue
        out.append((row[0], row[1], str(row[2])))
    return out


def _filtered(session: Session, workspace_id: int, f: FeatureFilter, query: Any) -> Any:
    query = query.where(Feature.workspace_id == workspace_id)
    if f.q:
        query = query.where(Feature.title.ilike(f"%{f.q}%"))
    if f.status is not None:
        query = query.where(Feature.status == f.status.value)
    if f.product_id is not None:
        query = query.where(Feature.product_id == f.product_id)
    if f.component_id is not None:
        query = query.where(Feature.component_id == f.component_id)
    if f.objective_id is not None:
        ids = objective_feature_ids(session, workspace_id=workspace_id, objective_id=f.objective_id)
        query = query.where(Feature.id.in_(ids or {-1}))
    return query


def list_features(
    session: Session,
    *,
    workspace_id: int,
    search: str | None = None,
    limit: int = 200,
    offset: int = 0,
    filters: FeatureFilter | None = None,
) -> list[Feature]:
    """Return the workspace's features by title, filtered (``search`` is a title search)."""
    f = filters or FeatureFilter(q=search or None)
    return filter_features(session, workspace_id=workspace_id, filters=f)[offset : offset + limit]


def list_tags(session: Session, *, workspace_id: int) -> list[str]:
    """Return every tag used by the workspace's features, sorted case-insensitively."""
    seen: dict[str, str] = {}
    for tags in session.scalars(select(Feature.tags).where(Feature.workspace_id == workspace_id)):
        for t in tags or []:
            seen.setdefault(t.lower(), t)
    return sorted(seen.values(), key=str.lower)


def update_feature(
    session: Session, *, actor: Actor, feature_id: int, data: FeatureUpdate
) -> Feature:
    """Change a feature's fields (only those given; null clears product, component, owner)."""
    ws = actor.workspace_id
    feature = get_feature(session, workspace_id=ws, feature_id=feature_id)
    given = data.model_dump(exclude_unset=True)
    if "product_id" in given or "component_id" in given:
        product_id = given.get("product_id", feature.product_id)
        component_id = given.get("component_id", feature.component_id)
        if "product_id" in given and "component_id" not in given and component_id is not None:
            comp = get_component(session, workspace_id=ws, component_id=component_id)
            component_id = component_id if comp.product_id == product_id else None
        given["product_id"] = _check_placement(session, ws, product_id, component_id)
        given["component_id"] = component_id
    changes: dict[str, object] = {}
    nullable = {"product_id", "component_id", "owner"}
    for name, value in given.items():
        if value is None and name not in nullable:
            continue
        stored = value.value if hasattr(value, "value") else value
        if name == "owner":
            stored = stored or None
        if getattr(feature, name) != stored:
            changes[name] = stored
            setattr(feature, name, list(stored) if name == "tags" else stored)
    session.flush()
    if changes:
        record(
            session,
            actor=actor,
            workspace_id=ws,
            action="update",
            object_type="feature",
            object_id=feature.id,
            summary=f"updated feature {feature.title}"[:300],
            changes={k: str(v)[:200] for k, v in changes.items()},
        )
    return feature


def delete_feature(session: Session, *, actor: Actor, feature_id: int) -> None:
    """Delete a feature; its highlights and estimates go with it, objective links too."""
    from producthq.strategy import okrs

    ws = actor.workspace_id
    feature = get_feature(session, workspace_id=ws, feature_id=feature_id)
    for objective in okrs.list_objectives(session, workspace_id=ws):
        for link in list(objective.links):
            if link.target_type == "feature" and link.target_id == feature.id:
                okrs.unlink_objective(
                    session, actor=actor, objective_id=objective.id, link_id=link.id
                )
                # The loaded collection still holds the deleted link; reload it next time.
                session.expire(objective, ["links"])
    session.delete(feature)
    session.flush()
    _audit(session, actor, ws, "delete", "feature", feature_id, f"deleted feature {feature.title}")


# --- import ------------------------------------------------------------------------------


def import_features(
    session: Session,
    *,
    actor: Actor,
    text: str,
    preset: str | None = None,
    overrides: dict[str, str] | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import features from CSV text: validate the whole file, then write every row.

    Products and components named in the file are created when missing. Estimate columns
    (``rice.reach``) become the features' estimates.

    Raises:
        InvalidInputError: every bad row, as (row, field, reason); nothing is written.
    """
    from producthq.prioritization import service as prioritization

    table = read_table(text)
    mapping = resolve_mapping(table.header, preset=preset, overrides=overrides or {})
    rows = validate_rows(table, mapping)
    if dry_run:
        return ImportResult(
            created=len(rows),
            products_created=0,
            components_created=0,
            estimates=sum(len(r.estimates) for r in rows),
            mapping=mapping,
            dry_run=True,
            feature_ids=[],
        )
    ws = actor.workspace_id
    made = {"products": 0, "components": 0, "estimates": 0}
    products: dict[str, Product] = {
        p.name.lower(): p for p in list_products(session, workspace_id=ws)
    }
    components: dict[tuple[int, str], Component] = {
        (c.product_id, c.name.lower()): c for c in list_components(session, workspace_id=ws)
    }
    ids: list[int] = []
    new_estimates: list[tuple[int, str, str, Estimate]] = []
    for row in rows:
        product_id, component_id = _place(session, ws, row, products, components, made)
        feature = Feature(
            workspace_id=ws,
            title=row.title,
            description=row.description,
            status=row.status,
            product_id=product_id,
            component_id=component_id,
            owner=row.owner,
            tags=list(_unique_tags(row.tags)),
            external_id=row.external_id,
        )
        session.add(feature)
        session.flush()
        ids.append(feature.id)
        for (framework, name), est in row.estimates.items():
            new_estimates.append((feature.id, framework, name, est))
    made["estimates"] = prioritization.add_new_estimates(
        session, workspace_id=ws, estimates=new_estimates
    )
    session.flush()
    _audit(
        session,
        actor,
        ws,
        "import",
        "feature",
        ids[0] if ids else 0,
        f"imported {len(ids)} features",
    )
    return ImportResult(
        created=len(ids),
        products_created=made["products"],
        components_created=made["components"],
        estimates=made["estimates"],
        mapping=mapping,
        dry_run=False,
        feature_ids=ids,
    )


def _unique_tags(tags: Iterable[str]) -> list[str]:
    from producthq.catalog.schemas import clean_tags

    return clean_tags(list(tags))[:30]


def _place(
    session: Session,
    ws: int,
    row: ImportRow,
    products: dict[str, Product],
    components: dict[tuple[int, str], Component],
    made: dict[str, int],
) -> tuple[int | None, int | None]:
    if not row.product:
        return None, None
    product = products.get(row.product.lower())
    if product is None:
        product = Product(workspace_id=ws, name=row.product, description="")
        session.add(product)
        session.flush()
        products[row.product.lower()] = product
        made["products"] += 1
    if not row.component:
        return product.id, None
    key = (product.id, row.component.lower())
    comp = components.get(key)
    if comp is None:
        comp = Component(workspace_id=ws, product_id=product.id, name=row.component)
        session.add(comp)
        session.flush()
        components[key] = comp
        made["components"] += 1
    return product.id, comp.id


# --- export ------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "id",
    "title",
    "status",
    "product",
    "component",
    "owner",
    "tags",
    "external_id",
    "description",
)


def csv_safe(value: Any) -> Any:
    """Guard a cell against formula injection when the CSV is opened in a spreadsheet.

    Examples:
        >>> csv_safe("=HYPERLINK(1)"), csv_safe("SSO")
        ("'=HYPERLINK(1)", 'SSO')
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def export_rows(
    session: Session, *, workspace_id: int, filters: FeatureFilter | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """Return one flat row per feature (with its estimates as ``framework.input`` columns)."""
    from producthq.prioritization import service as prioritization

    features = filter_features(session, workspace_id=workspace_id, filters=filters)
    products = {p.id: p.name for p in list_products(session, workspace_id=workspace_id)}
    comps = {c.id: c.name for c in list_components(session, workspace_id=workspace_id)}
    estimates = prioritization.estimates_by_feature(
        session, workspace_id=workspace_id, feature_ids=[f.id for f in features]
    )
    est_columns = sorted({k for per in estimates.values() for k in per})
    rows: list[dict[str, Any]] = []
    for f in features:
        row: dict[str, Any] = {
            "id": f.id,
            "title": f.title,
            "status": f.status,
            "product": products.get(f.product_id) if f.product_id else None,
            "component": comps.get(f.component_id) if f.component_id else None,
            "owner": f.owner,
            "tags": ", ".join(f.tags or []),
            "external_id": f.external_id,
            "description": f.description,
        }
        row.update(estimates.get(f.id, {}))
        rows.append(row)
    return rows, [*EXPORT_COLUMNS, *est_columns]


def export_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """Write rows as CSV text, every text cell guarded against formula injection."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for r in rows:
        writer.writerow(["" if r.get(c) is None else csv_safe(r.get(c)) for c in columns])
    return buf.getvalue()


def export_json(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """Write rows as a JSON array of objects with the given keys."""
    return json.dumps([{c: r.get(c) for c in columns} for r in rows], indent=2, ensure_ascii=False)
