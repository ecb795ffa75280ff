"""HTML routes of the feature catalogue: list with filters, feature page, import, export."""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from producthq.accounts.roles import Role
from producthq.catalog import links, service
from producthq.catalog.csv_import import IGNORE, PRESETS, all_fields, read_table, resolve_mapping
from producthq.catalog.models import FeatureStatus
from producthq.catalog.schemas import (
    ComponentCreate,
    FeatureCreate,
    FeatureFilter,
    FeatureUpdate,
    ProductCreate,
)
from producthq.errors import ConflictError, InvalidInputError, ProductHQError
from producthq.prioritization import kano_answers
from producthq.prioritization import service as prioritization
from producthq.prioritization.schemas import EstimateSet, PokerStart
from producthq.strategy import okrs
from producthq.strategy.markdown import render_markdown
from producthq.web.deps import EditorDep, IdPath, ViewerDep, WorkspaceAccess
from producthq.web.render import is_htmx, render_ws

router = APIRouter()
FILTER_KEYS = ("q", "status", "product_id", "component_id", "tag", "objective_id")
MAX_UPLOAD = 5_000_000
Str = Annotated[str, Form(max_length=400)]
MISTAKES = (ValidationError, InvalidInputError, ConflictError)
"""A user's mistake shown on the page; a missing object still answers 404."""


def _message(exc: ValidationError | ProductHQError) -> str:
    if isinstance(exc, ProductHQError):
        return exc.message
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ()))
    return f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg"))


def read_filters(request: Request) -> tuple[FeatureFilter, dict[str, str], str | None]:
    """Read the list filters from the query string; a bad value is dropped with a note."""
    raw = {k: request.query_params.get(k, "").strip()[:200] for k in FILTER_KEYS}
    raw = {k: v for k, v in raw.items() if v}
    try:
        return FeatureFilter.model_validate(raw), raw, None
    except ValidationError as exc:
        return FeatureFilter(), {}, f"the filters were ignored ({_message(exc)})"


def filter_choices(access: WorkspaceAccess) -> dict[str, Any]:
    """Products, components, tags, statuses and objectives for the filter form."""
    ws = access.workspace.id
    return {
        "products": service.list_products(access.session, workspace_id=ws),
        "components": service.list_components(access.session, workspace_id=ws),
        "tags": service.list_tags(access.session, workspace_id=ws),
        "statuses": [s.value for s in FeatureStatus],
        "objectives": okrs.list_objectives(access.session, workspace_id=ws),
        "can_edit": access.role.allows(Role.editor),
    }


def _list_context(request: Request, access: WorkspaceAccess) -> dict[str, Any]:
    filters, raw, note = read_filters(request)
    try:
        rows = service.filter_features(
            access.session, workspace_id=access.workspace.id, filters=filters
        )
    except ProductHQError as exc:
        rows, raw, note = [], {}, exc.message
    choices = filter_choices(access)
    return {
        **choices,
        "features": rows[:500],
        "total": len(rows),
        "filters": raw,
        "query": urlencode(raw),
        "note": note,
        "product_names": {p.id: p.name for p in choices["products"]},
        "component_names": {c.id: c.name for c in choices["components"]},
    }


@router.get("/w/{ws}/features", response_class=HTMLResponse)
def features_page(request: Request, access: ViewerDep) -> HTMLResponse:
    """The catalogue: features filtered by product, component, tag, status, objective."""
    template = "catalog/_features.html" if is_htmx(request) else "catalog/list.html"
    return render_ws(request, access, template, _list_context(request, access))


def _back_with(slug: str, path: str, message: str, level: str = "error") -> RedirectResponse:
    query = urlencode({"msg": message[:300], "level": level})
    return RedirectResponse(f"/w/{slug}/features{path}?{query}", status_code=303)


@router.post("/w/{ws}/features/new")
def create_feature(
    access: EditorDep,
    title: Annotated[str, Form(max_length=300)],
    status: Str = "idea",
    product_id: Str = "",
    owner: Str = "",
    tags: Annotated[str, Form(max_length=2000)] = "",
    description: Annotated[str, Form(max_length=20000)] = "",
) -> Response:
    """Add a feature and open its page."""
    slug = access.workspace.slug
    try:
        data = FeatureCreate(
            title=title,
            status=FeatureStatus(status) if status in FeatureStatus.__members__ else status,
            product_id=int(product_id) if product_id.isdigit() else None,
            owner=owner or None,
            tags=[t for t in tags.split(",") if t.strip()],
            description=description,
        )
        feature = service.create_feature(access.session, actor=access.actor, data=data)
    except MISTAKES as exc:
        return _back_with(slug, "", f"the feature was not added: {_message(exc)}")
    return RedirectResponse(f"/w/{slug}/features/{feature.id}", status_code=303)


@router.post("/w/{ws}/features/products")
def create_product(
    access: EditorDep, name: Annotated[str, Form(max_length=200)], component: Str = ""
) -> Response:
    """Add a product, or a component to an existing product of that name."""
    slug = access.workspace.slug
    try:
        existing = {
            p.name.lower(): p
            for p in service.list_products(access.session, workspace_id=access.workspace.id)
        }
        product = existing.get(name.strip().lower())
        if product is None:
            product = service.create_product(
                access.session, actor=access.actor, data=ProductCreate(name=name)
            )
        if component.strip():
            service.create_component(
                access.session,
                actor=access.actor,
                data=ComponentCreate(product_id=product.id, name=component),
            )
    except MISTAKES as exc:
        return _back_with(slug, "", f"not added: {_message(exc)}")
    return _back_with(slug, "", f"saved {product.name}", "ok")


@router.get("/w/{ws}/features/export.{fmt}")
def export_page(request: Request, access: ViewerDep, fmt: str) -> Response:
    """Download the (filtered) features as CSV or JSON."""
    filters, _raw, _note = read_filters(request)
    rows, columns = service.export_rows(
        access.session, workspace_id=access.workspace.id, filters=filters
    )
    if fmt == "json":
        return Response(service.export_json(rows, columns), media_type="application/json")
    if fmt != "csv":
        raise InvalidInputError.single(("format",), f"export as csv or json, not {fmt!r}")
    return Response(
        service.export_csv(rows, columns),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="features.csv"'},
    )


# --- import ------------------------------------------------------------------------------


def _import_page(
    request: Request, access: WorkspaceAccess, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    context = {
        "presets": list(PRESETS),
        "fields": [IGNORE, *all_fields()],
        "step": "upload",
        **extra,
    }
    return render_ws(request, access, "catalog/import.html", context, status_code=status_code)


@router.get("/w/{ws}/features/import", response_class=HTMLResponse)
def import_page(request: Request, access: EditorDep) -> HTMLResponse:
    """Step 1 of an import: upload a CSV file and choose a preset."""
    return _import_page(request, access)


@router.post("/w/{ws}/features/import", response_class=HTMLResponse)
def import_upload(
    request: Request,
    access: EditorDep,
    file: Annotated[UploadFile, File()],
    preset: Annotated[str, Form(max_length=32)] = "",
) -> HTMLResponse:
    """Step 2: show the file's columns and the proposed mapping to confirm or change."""
    raw = file.file.read(MAX_UPLOAD + 1)
    try:
        if len(raw) > MAX_UPLOAD:
            raise InvalidInputError.single(("file",), "the file is larger than 5 MB")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInputError.single(("file",), "the file is not UTF-8 text") from None
        table = read_table(text)
        mapping = resolve_mapping(table.header, preset=preset or None, overrides={})
    except InvalidInputError as exc:
        problems = [(p.loc, p.message) for p in exc.details]
        return _import_page(request, access, 422, error=exc.message, problems=problems)
    return _import_page(
        request,
        access,
        step="map",
        csv_text=text,
        preset=preset,
        columns=list(dict.fromkeys(table.header)),
        mapping=mapping,
        sample=table.rows[:3],
        header=table.header,
        rows=len(table.rows),
    )


@router.post("/w/{ws}/features/import/confirm", response_class=HTMLResponse)
def import_confirm(
    request: Request,
    access: EditorDep,
    csv_text: Annotated[str, Form(max_length=MAX_UPLOAD)],
    preset: Annotated[str, Form(max_length=32)] = "",
    map_column: Annotated[list[str] | None, Form()] = None,
    map_field: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Step 3: validate the whole file with the mapping; import it, or list every bad row."""
    overrides = {
        c[:300]: f[:64] for c, f in zip(map_column or [], map_field or [], strict=False) if c
    }
    try:
        result = service.import_features(
            access.session,
            actor=access.actor,
            text=csv_text,
            preset=preset or None,
            overrides=overrides,
        )
    except InvalidInputError as exc:
        problems = [(p.loc, p.message) for p in exc.details]
        table = read_table(csv_text)
        return _import_page(
            request,
            access,
            422,
            step="map",
            csv_text=csv_text,
            preset=preset,
            columns=list(dict.fromkeys(table.header)),
            mapping=overrides,
            sample=table.rows[:3],
            header=table.header,
            rows=len(table.rows),
            error=exc.message,
            problems=problems,
        )
    message = f"imported {result.created} features"
    return _back_with(access.workspace.slug, "", message, "ok")


# --- one feature -------------------------------------------------------------------------


def _feature_context(
    access: WorkspaceAccess, feature_id: int, framework: str = "rice"
) -> dict[str, Any]:
    ws = access.workspace.id
    detail = links.feature_detail(access.session, workspace_id=ws, feature_id=feature_id)
    frameworks = prioritization.list_frameworks(access.session, workspace_id=ws)
    if framework not in {f.slug for f in frameworks}:
        framework = "rice"
    return {
        "feature": detail,
        "description_html": render_markdown(detail.description),
        "evidence": prioritization.feature_evidence(
            access.session, workspace_id=ws, feature_id=feature_id
        ),
        "inputs": prioritization.feature_inputs(
            access.session, workspace_id=ws, feature_id=feature_id, framework=framework
        ),
        "frameworks": frameworks,
        "framework": framework,
        "kano": kano_answers.kano_summary(access.session, workspace_id=ws, feature_id=feature_id),
        "kano_people": kano_answers.people_choices(access.session, workspace_id=ws),
        "poker_rounds": prioritization.list_poker(
            access.session, actor=access.actor, feature_id=feature_id
        ),
        **filter_choices(access),
    }


@router.get("/w/{ws}/features/{feature_id}", response_class=HTMLResponse)
def feature_page(request: Request, feature_id: IdPath, access: ViewerDep) -> HTMLResponse:
    """A feature: description, objectives, inputs with their sources, and its evidence."""
    framework = request.query_params.get("framework", "rice")[:32]
    context = _feature_context(access, feature_id, framework)
    context["flash_msg"] = request.query_params.get("msg", "")[:300]
    context["flash_level"] = "ok" if request.query_params.get("level") == "ok" else "error"
    return render_ws(request, access, "catalog/feature.html", context)


def _check_feature(access: WorkspaceAccess, feature_id: int) -> None:
    """Answer 404 for a feature of another workspace before looking at the form."""
    service.get_feature(access.session, workspace_id=access.workspace.id, feature_id=feature_id)


def _to_feature(slug: str, fid: int, message: str = "", level: str = "error") -> Response:
    query = f"?{urlencode({'msg': message[:300], 'level': level})}" if message else ""
    return RedirectResponse(f"/w/{slug}/features/{fid}{query}", status_code=303)


@router.post("/w/{ws}/features/{feature_id}/edit")
def edit_feature(
    access: EditorDep,
    feature_id: IdPath,
    title: Annotated[str, Form(max_length=300)],
    status: Str = "idea",
    product_id: Str = "",
    component_id: Str = "",
    owner: Str = "",
    tags: Annotated[str, Form(max_length=2000)] = "",
    description: Annotated[str, Form(max_length=20000)] = "",
) -> Response:
    """Save a feature's fields."""
    _check_feature(access, feature_id)
    slug = access.workspace.slug
    try:
        data = FeatureUpdate.model_validate(
            {
                "title": title,
                "status": status,
                "product_id": int(product_id) if product_id.isdigit() else None,
                "component_id": int(component_id) if component_id.isdigit() else None,
                "owner": owner or None,
                "tags": [t for t in tags.split(",") if t.strip()],
                "description": description,
            }
        )
        service.update_feature(access.session, actor=access.actor, feature_id=feature_id, data=data)
    except MISTAKES as exc:
        return _to_feature(slug, feature_id, f"not saved: {_message(exc)}")
    return _to_feature(slug, feature_id, "saved", "ok")


@router.post("/w/{ws}/features/{feature_id}/objectives")
def link_objective(access: EditorDep, feature_id: IdPath, objective_id: Str = "") -> Response:
    """Link the feature to an objective."""
    _check_feature(access, feature_id)
    slug = access.workspace.slug
    try:
        if not objective_id.isdigit():
            raise InvalidInputError.single(("objective_id",), "choose an objective")
        links.link_objective(
            access.session,
            actor=access.actor,
            feature_id=feature_id,
            objective_id=int(objective_id),
        )
    except MISTAKES as exc:
        return _to_feature(slug, feature_id, f"not linked: {_message(exc)}")
    return _to_feature(slug, feature_id, "linked", "ok")


@router.post("/w/{ws}/features/{feature_id}/objectives/{objective_id}/delete")
def unlink_objective(access: EditorDep, feature_id: IdPath, objective_id: IdPath) -> Response:
    """Remove the link between the feature and an objective."""
    links.unlink_objective(
        access.session, actor=access.actor, feature_id=feature_id, objective_id=objective_id
    )
    return _to_feature(access.workspace.slug, feature_id, "unlinked", "ok")


def _number(text: str, name: str) -> float:
    try:
        return float(text.strip().rstrip("%")) / (100.0 if text.strip().endswith("%") else 1.0)
    except ValueError:
        raise InvalidInputError.single((name,), f"{name} {text!r} is not a number") from None


@router.post("/w/{ws}/features/{feature_id}/estimates")
def set_estimate(
    access: EditorDep,
    feature_id: IdPath,
    framework: Annotated[str, Form(max_length=32)],
    input_name: Annotated[str, Form(max_length=64)],
    low: Str,
    high: Str = "",
    confidence: Str = "0.9",
    action: Str = "save",
) -> Response:
    """Set (or clear, with ``action=clear``) one input of the feature."""
    _check_feature(access, feature_id)
    slug = access.workspace.slug
    try:
        if action == "clear":
            prioritization.delete_estimate(
                access.session,
                actor=access.actor,
                feature_id=feature_id,
                framework=framework,
                input_name=input_name,
            )
        else:
            data = EstimateSet(
                low=_number(low, "low"),
                high=_number(high, "high") if high.strip() else None,
                confidence=_number(confidence or "0.9", "confidence"),
            )
            prioritization.set_estimate(
                access.session,
                actor=access.actor,
                feature_id=feature_id,
                framework=framework,
                input_name=input_name,
                data=data,
            )
    except MISTAKES as exc:
        return _to_feature(slug, feature_id, f"not saved: {_message(exc)}")
    return RedirectResponse(
        f"/w/{slug}/features/{feature_id}?framework={framework}#inputs", status_code=303
    )


@router.post("/w/{ws}/features/{feature_id}/poker")
def start_poker(
    access: EditorDep,
    feature_id: IdPath,
    framework: Annotated[str, Form(max_length=32)] = "rice",
    input_name: Annotated[str, Form(max_length=64)] = "effort",
) -> Response:
    """Open a priority-poker round on one input of the feature."""
    try:
        prioritization.start_poker(
            access.session,
            actor=access.actor,
            feature_id=feature_id,
            data=PokerStart(framework=framework, input=input_name),
        )
    except MISTAKES as exc:
        return _to_feature(access.workspace.slug, feature_id, f"not started: {_message(exc)}")
    return _to_feature(access.workspace.slug, feature_id, "poker round opened", "ok")


@router.post("/w/{ws}/features/{feature_id}/poker/{round_id}")
def poker_action(
    access: EditorDep,
    feature_id: IdPath,
    round_id: IdPath,
    action: Str = "vote",
    value: Str = "",
) -> Response:
    """Vote in, reveal, or apply a poker round."""
    slug = access.workspace.slug
    try:
        round_ = prioritization.poker_view(access.session, actor=access.actor, round_id=round_id)
        if round_.feature_id != feature_id:
            raise InvalidInputError.single(("round_id",), "this round belongs to another feature")
        if action == "reveal":
            prioritization.reveal_poker(access.session, actor=access.actor, round_id=round_id)
        elif action == "apply":
            prioritization.apply_poker(access.session, actor=access.actor, round_id=round_id)
        else:
            prioritization.vote_poker(
                access.session, actor=access.actor, round_id=round_id, value=_number(value, "value")
            )
    except MISTAKES as exc:
        return _to_feature(slug, feature_id, f"poker: {_message(exc)}")
    return _to_feature(slug, feature_id, f"poker: {action} done", "ok")
