"""JSON routes of the feature catalogue under /api/v1/workspaces/{ws}/catalog.

The plain feature routes (``/features``, ``/features/{id}``) are still served by the feedback
area's router with this area's schemas and service; the catalogue adds products, components,
a filtered feature list, the feature detail with its evidence, links, import and export.
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status

from producthq.catalog import links, service
from producthq.catalog.models import FeatureStatus
from producthq.catalog.schemas import (
    ComponentCreate,
    ComponentRead,
    ComponentUpdate,
    FeatureDetail,
    FeatureFilter,
    FeaturePage,
    FeatureRead,
    ImportRequest,
    ImportResult,
    ObjectiveLinkCreate,
    ObjectiveRef,
    ProductCreate,
    ProductRead,
    ProductUpdate,
)
from producthq.web.deps import EditorDep, IdPath, OffsetQuery, ViewerDep

router = APIRouter(prefix="/api/v1/workspaces/{ws}/catalog", tags=["catalog"])
IdQuery = Annotated[int | None, Query(ge=1, le=2**31 - 1)]
Text = Annotated[str | None, Query(max_length=200)]
TagQuery = Annotated[str | None, Query(max_length=50)]
Limit = Annotated[int, Query(ge=1, le=1000)]


def _filters(
    q: str | None,
    status_: FeatureStatus | None,
    product_id: int | None,
    component_id: int | None,
    tag: str | None,
    objective_id: int | None,
) -> FeatureFilter:
    return FeatureFilter(
        q=q or None,
        status=status_,
        product_id=product_id,
        component_id=component_id,
        tag=tag or None,
        objective_id=objective_id,
    )


@router.get("/products", response_model=list[ProductRead])
def list_products(access: ViewerDep) -> list[ProductRead]:
    """Products by name."""
    rows = service.list_products(access.session, workspace_id=access.workspace.id)
    return [ProductRead.model_validate(p) for p in rows]


@router.post("/products", response_model=ProductRead, status_code=status.HTTP_201_CREATED)
def create_product(data: ProductCreate, access: EditorDep) -> ProductRead:
    """Add a product."""
    return ProductRead.model_validate(
        service.create_product(access.session, actor=access.actor, data=data)
    )


@router.patch("/products/{product_id}", response_model=ProductRead)
def update_product(product_id: IdPath, data: ProductUpdate, access: EditorDep) -> ProductRead:
    """Rename a product or change its description."""
    return ProductRead.model_validate(
        service.update_product(access.session, actor=access.actor, product_id=product_id, data=data)
    )


@router.delete("/products/{product_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_product(product_id: IdPath, access: EditorDep) -> Response:
    """Delete a product and its components; its features stay, without a product."""
    service.delete_product(access.session, actor=access.actor, product_id=product_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/components", response_model=list[ComponentRead])
def list_components(access: ViewerDep, product_id: IdQuery = None) -> list[ComponentRead]:
    """Components, optionally of one product."""
    rows = service.list_components(
        access.session, workspace_id=access.workspace.id, product_id=product_id
    )
    return [ComponentRead.model_validate(c) for c in rows]


@router.post("/components", response_model=ComponentRead, status_code=status.HTTP_201_CREATED)
def create_component(data: ComponentCreate, access: EditorDep) -> ComponentRead:
    """Add a component to a product."""
    return ComponentRead.model_validate(
        service.create_component(access.session, actor=access.actor, data=data)
    )


@router.patch("/components/{component_id}", response_model=ComponentRead)
def update_component(
    component_id: IdPath, data: ComponentUpdate, access: EditorDep
) -> ComponentRead:
    """Rename a component."""
    return ComponentRead.model_validate(
        service.update_component(
            access.session, actor=access.actor, component_id=component_id, data=data
        )
    )


@router.delete("/components/{component_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_component(component_id: IdPath, access: EditorDep) -> Response:
    """Delete a component; its features stay in the product."""
    service.delete_component(access.session, actor=access.actor, component_id=component_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/features", response_model=FeaturePage)
def list_features(
    access: ViewerDep,
    q: Text = None,
    status_: Annotated[FeatureStatus | None, Query(alias="status")] = None,
    product_id: IdQuery = None,
    component_id: IdQuery = None,
    tag: TagQuery = None,
    objective_id: IdQuery = None,
    limit: Limit = 100,
    offset: OffsetQuery = 0,
) -> FeaturePage:
    """Features by title, filtered by product, component, tag, status, objective or words."""
    rows = service.filter_features(
        access.session,
        workspace_id=access.workspace.id,
        filters=_filters(q, status_, product_id, component_id, tag, objective_id),
    )
    return FeaturePage(
        items=[FeatureRead.model_validate(f) for f in rows[offset : offset + limit]],
        total=len(rows),
        offset=offset,
    )


@router.get("/features/{feature_id}", response_model=FeatureDetail)
def read_feature(feature_id: IdPath, access: ViewerDep) -> FeatureDetail:
    """A feature with its product, component, objectives and the feedback that asks for it."""
    return links.feature_detail(
        access.session, workspace_id=access.workspace.id, feature_id=feature_id
    )


@router.delete("/features/{feature_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_feature(feature_id: IdPath, access: EditorDep) -> Response:
    """Delete a feature with its highlights, estimates and objective links."""
    service.delete_feature(access.session, actor=access.actor, feature_id=feature_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/features/{feature_id}/objectives", response_model=list[ObjectiveRef])
def link_objective(
    feature_id: IdPath, data: ObjectiveLinkCreate, access: EditorDep
) -> list[ObjectiveRef]:
    """Link the feature to an objective."""
    return links.link_objective(
        access.session, actor=access.actor, feature_id=feature_id, objective_id=data.objective_id
    )


@router.delete(
    "/features/{feature_id}/objectives/{objective_id}", response_model=list[ObjectiveRef]
)
def unlink_objective(
    feature_id: IdPath, objective_id: IdPath, access: EditorDep
) -> list[ObjectiveRef]:
    """Remove the link between the feature and an objective."""
    return links.unlink_objective(
        access.session, actor=access.actor, feature_id=feature_id, objective_id=objective_id
    )


@router.get("/tags", response_model=list[str])
def list_tags(access: ViewerDep) -> list[str]:
    """Every tag used by a feature."""
    return service.list_tags(access.session, workspace_id=access.workspace.id)


@router.post("/import", response_model=ImportResult)
def import_features(data: ImportRequest, access: EditorDep) -> ImportResult:
    """Import features from CSV text; every bad row is reported and nothing is imported."""
    return service.import_features(
        access.session,
        actor=access.actor,
        text=data.csv,
        preset=data.preset,
        overrides=data.mapping,
        dry_run=data.dry_run,
    )


@router.get("/export", response_class=Response)
def export_features(
    access: ViewerDep,
    format_: Annotated[Literal["csv", "json"], Query(alias="format")] = "csv",
    q: Text = None,
    status_: Annotated[FeatureStatus | None, Query(alias="status")] = None,
    product_id: IdQuery = None,
    component_id: IdQuery = None,
    tag: TagQuery = None,
    objective_id: IdQuery = None,
) -> Response:
    """Every (filtered) feature as CSV (formula-injection guarded) or JSON."""
    rows, columns = service.export_rows(
        access.session,
        workspace_id=access.workspace.id,
        filters=_filters(q, status_, product_id, component_id, tag, objective_id),
    )
    if format_ == "json":
        return Response(service.export_json(rows, columns), media_type="application/json")
    return Response(
        service.export_csv(rows, columns),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="features.csv"'},
    )
