"""HTML routes of prioritisation: the ranked table, value-effort scatter and what-if panel."""

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from producthq.accounts.roles import Role
from producthq.catalog import service as catalog
from producthq.catalog.pages import filter_choices, read_filters
from producthq.errors import ConflictError, InvalidInputError, ProductHQError
from producthq.prioritization import frameworks, kano_answers, service
from producthq.prioritization.charts import KanoPoint, ScatterPoint, kano_chart, value_effort_chart
from producthq.prioritization.formula import FUNCTIONS, caret
from producthq.prioritization.schemas import (
    KanoResponseCreate,
    RankingRead,
    ScoringFrameworkCreate,
    ScoringFrameworkUpdate,
)
from producthq.web.deps import EditorDep, IdPath, ViewerDep, WorkspaceAccess
from producthq.web.render import is_htmx, render_ws

router = APIRouter()
MAX_UPLOAD = 5_000_000
WEIGHT_PREFIX = "w_"


def _weights(request: Request, defaults: dict[str, float]) -> tuple[dict[str, float], str | None]:
    """What-if weights from the query string; a weight equal to its default is left out."""
    out: dict[str, float] = {}
    for name, default in defaults.items():
        text = request.query_params.get(WEIGHT_PREFIX + name, "").strip()[:20]
        if not text:
            continue
        try:
            value = float(text)
        except ValueError:
            return {}, f"weight of {name} {text!r} is not a number; weights were ignored"
        if value != default:
            out[name] = value
    return out, None


def _chart(ranking: RankingRead, cost: str | None) -> dict[str, Any] | None:
    if cost is None or not ranking.rows:
        return None
    points = []
    for r in ranking.rows:
        effort = r.inputs[cost].median if cost in r.inputs else None
        if effort is None:
            continue
        points.append(ScatterPoint(r.title, effort, r.median * effort, r.rank))
    return value_effort_chart(points, effort_label=cost.replace("_", " "))


def _kano_chart(ranking: RankingRead) -> dict[str, Any] | None:
    if ranking.framework != "kano" or not ranking.rows:
        return None
    points = [
        KanoPoint(
            r.title,
            r.median,
            r.worse,
            r.label or "",
            round(sum(v.median or 0.0 for v in r.inputs.values())),
        )
        for r in ranking.rows
        if r.worse is not None and (r.median > 0 or r.worse < 0)
    ]
    return kano_chart(points) if points else None


def _context(request: Request, access: WorkspaceAccess) -> dict[str, Any]:
    frameworks = {
        f.slug: f for f in service.list_frameworks(access.session, workspace_id=access.workspace.id)
    }
    slug = request.query_params.get("framework", "rice")[:32]
    slug = slug if slug in frameworks else "rice"
    info = frameworks[slug]
    defaults = info.default_weights
    # The form says which framework its weights belong to: after a switch they are the old
    # framework's, so the new one starts at its own and the panel is sent again.
    shown = request.query_params.get("shown_framework", slug)[:32]
    switched = shown != slug
    weights, note = _weights(request, defaults) if info.weights and not switched else ({}, None)
    top_text = request.query_params.get("top", "10")
    top = int(top_text) if top_text.isdigit() and 1 <= int(top_text) <= 1000 else 10
    filters, raw, filter_note = read_filters(request)
    ranking = None
    try:
        ranking = service.rank_features(
            access.session,
            workspace_id=access.workspace.id,
            framework=slug,
            filters=filters if raw else None,
            top=top,
            weights=weights,
        )
    except ProductHQError as exc:
        # Bad weights or a filter naming a missing objective: say so, rank everything plainly.
        note, raw = exc.message, {}
        ranking = service.rank_features(
            access.session, workspace_id=access.workspace.id, framework=slug, top=top
        )
    cost = next((str(i["name"]) for i in info.inputs if not i["higher_is_better"]), None)
    query = {**raw, "framework": slug, "top": str(top)}
    return {
        **filter_choices(access),
        "ranking": ranking,
        "framework": info,
        "frameworks": list(frameworks.values()),
        "weights": {n: weights.get(n, d) for n, d in defaults.items()},
        "top": top,
        "filters": raw,
        "note": note or filter_note,
        "chart": _chart(ranking, cost),
        "kano_chart": _kano_chart(ranking),
        "query": urlencode(query),
        "what_if_oob": switched and is_htmx(request),
    }


@router.get("/w/{ws}/features/prioritize", response_class=HTMLResponse)
def prioritize_page(request: Request, access: ViewerDep) -> HTMLResponse:
    """The ranked table with intervals and P(top N), the scatter, and the what-if weights."""
    template = "prioritization/_ranking.html" if is_htmx(request) else "prioritization/rank.html"
    return render_ws(request, access, template, _context(request, access))


# --- user-defined frameworks --------------------------------------------------------------

EMPTY_CRITERIA_ROWS = 3


def _frameworks_context(
    access: WorkspaceAccess, form: dict[str, Any] | None = None, editing: int | None = None
) -> dict[str, Any]:
    ws = access.workspace.id
    return {
        "user_frameworks": frameworks.list_user_frameworks(access.session, workspace_id=ws),
        "builtins": [
            f
            for f in service.list_frameworks(access.session, workspace_id=ws)
            if not f.user_defined
        ],
        "form": form or {"slug": "", "title": "", "formula": "", "criteria": []},
        "editing": editing,
        "blank_rows": EMPTY_CRITERIA_ROWS,
        "functions": ", ".join(FUNCTIONS),
        "can_edit": access.role.allows(Role.editor),
    }


@router.get("/w/{ws}/features/frameworks", response_class=HTMLResponse)
def frameworks_page(request: Request, access: ViewerDep) -> HTMLResponse:
    """The workspace's scoring frameworks: built-ins, user-defined ones, and a form for one."""
    return render_ws(request, access, "prioritization/frameworks.html", _frameworks_context(access))


@router.get("/w/{ws}/features/frameworks/{framework_id}", response_class=HTMLResponse)
def framework_edit_page(request: Request, access: ViewerDep, framework_id: IdPath) -> HTMLResponse:
    """One user-defined framework in the form, to edit."""
    fw = frameworks.get_user_framework(
        access.session, workspace_id=access.workspace.id, framework_id=framework_id
    )
    form = {
        "slug": fw.slug,
        "title": fw.title,
        "formula": fw.formula,
        "criteria": [c.model_dump() for c in fw.criteria],
    }
    context = _frameworks_context(access, form, editing=fw.id)
    return render_ws(request, access, "prioritization/frameworks.html", context)


def _criteria_rows(
    names: list[str], weights: list[str], kinds: list[str], descriptions: list[str]
) -> list[dict[str, Any]]:
    """The criteria rows as typed, blank rows dropped (kept as text to show again on error)."""
    rows = []
    for i, name in enumerate(names[:30]):
        weight = weights[i] if i < len(weights) else ""
        if not name.strip() and not weight.strip():
            continue
        rows.append(
            {
                "name": name.strip(),
                "weight": weight.strip() or "1",
                "kind": kinds[i] if i < len(kinds) else "benefit",
                "description": (descriptions[i] if i < len(descriptions) else "").strip(),
            }
        )
    return rows


def _problems(exc: ValidationError | InvalidInputError) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if isinstance(exc, ValidationError):
        for err in exc.errors()[:20]:
            loc = [str(p) for p in err.get("loc", ())]
            if len(loc) >= 2 and loc[0] == "criteria" and loc[1].isdigit():
                loc[1] = f"criterion {int(loc[1]) + 1}"
                loc = loc[1:]
            out.append((" ".join(loc) or "form", str(err.get("msg", "invalid"))))
        return out
    for p in exc.details[:20]:
        loc = [str(x) for x in p.loc]
        if len(loc) >= 2 and loc[0] == "criteria" and loc[1].isdigit():
            loc = [f"criterion {int(loc[1]) + 1}", *loc[2:]]
        elif loc and loc[0] == "formula":
            loc = ["formula"]
        out.append((" ".join(loc) or "form", p.message))
    return out


def _formula_caret(exc: ValidationError | InvalidInputError, formula: str) -> str | None:
    if isinstance(exc, InvalidInputError):
        for p in exc.details:
            if len(p.loc) == 2 and p.loc[0] == "formula" and isinstance(p.loc[1], int):
                return caret(formula, min(p.loc[1], len(formula) + 1))
    return None


FormList = Annotated[list[str], Form()]


@router.post("/w/{ws}/features/frameworks", response_model=None)
def save_framework(
    request: Request,
    access: EditorDep,
    slug: Annotated[str, Form(max_length=100)] = "",
    title: Annotated[str, Form(max_length=400)] = "",
    formula: Annotated[str, Form(max_length=4000)] = "",
    framework_id: Annotated[str, Form(max_length=12)] = "",
    c_name: FormList = [],  # noqa: B006 - FastAPI reads repeated form fields into a new list
    c_weight: FormList = [],  # noqa: B006
    c_kind: FormList = [],  # noqa: B006
    c_desc: FormList = [],  # noqa: B006
) -> Response:
    """Create a framework, or save one (``framework_id``); errors re-show the form as typed."""
    rows = _criteria_rows(c_name, c_weight, c_kind, c_desc)
    form = {"slug": slug.strip(), "title": title.strip(), "formula": formula, "criteria": rows}
    editing = int(framework_id) if framework_id.isdigit() else None
    try:
        if editing is None:
            data = ScoringFrameworkCreate.model_validate(
                {**form, "formula": formula.strip(), "criteria": _typed(rows)}
            )
            saved = frameworks.create_user_framework(access.session, actor=access.actor, data=data)
        else:
            update = ScoringFrameworkUpdate.model_validate(
                {"title": form["title"], "formula": formula.strip(), "criteria": _typed(rows)}
            )
            saved = frameworks.update_user_framework(
                access.session, actor=access.actor, framework_id=editing, data=update
            )
    except (ValidationError, InvalidInputError, ConflictError) as exc:
        # Nothing was written: definitions are checked before a row is added or changed.
        context = _frameworks_context(access, form, editing)
        if isinstance(exc, ConflictError):
            context["problems"] = [("slug", exc.message)]
        else:
            context["problems"] = _problems(exc)
            context["formula_caret"] = _formula_caret(exc, formula.strip())
        return render_ws(
            request, access, "prioritization/frameworks.html", context, status_code=422
        )
    return RedirectResponse(
        f"/w/{access.workspace.slug}/features/prioritize?framework={saved.slug}", status_code=303
    )


def _number_or_text(text: str) -> float | str:
    """A weight as a number; text that is not one is kept, so validation names it."""
    try:
        return float(text)
    except ValueError:
        return text


def _typed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "weight": _number_or_text(str(r["weight"]))} for r in rows]


@router.post("/w/{ws}/features/frameworks/{framework_id}/delete")
def delete_framework(access: EditorDep, framework_id: IdPath) -> Response:
    """Delete a user-defined framework."""
    frameworks.delete_user_framework(access.session, actor=access.actor, framework_id=framework_id)
    return RedirectResponse(f"/w/{access.workspace.slug}/features/frameworks", status_code=303)


# --- Kano answers on the feature page ---------------------------------------------------


def _to_feature(slug: str, fid: int, message: str, level: str = "error") -> Response:
    query = urlencode({"msg": message[:300], "level": level})
    return RedirectResponse(f"/w/{slug}/features/{fid}?{query}#kano", status_code=303)


@router.post("/w/{ws}/features/{feature_id}/kano")
def add_kano(
    access: EditorDep,
    feature_id: IdPath,
    functional: Annotated[str, Form(max_length=40)] = "",
    dysfunctional: Annotated[str, Form(max_length=40)] = "",
    person_id: Annotated[str, Form(max_length=12)] = "",
    respondent: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Record one respondent's paired answers."""
    slug = access.workspace.slug
    try:
        data = KanoResponseCreate(
            functional=functional or "?",
            dysfunctional=dysfunctional or "?",
            person_id=int(person_id) if person_id.isdigit() else None,
            respondent=respondent,
        )
        kano_answers.add_kano_response(
            access.session, actor=access.actor, feature_id=feature_id, data=data
        )
    except (ValidationError, InvalidInputError) as exc:
        return _to_feature(slug, feature_id, f"not saved: {_first(exc)}")
    return _to_feature(slug, feature_id, "Kano answers saved", "ok")


def _first(exc: ValidationError | InvalidInputError) -> str:
    return "; ".join(f"{where}: {why}" for where, why in _problems(exc)[:5])


@router.post("/w/{ws}/features/{feature_id}/kano/import")
def import_kano(
    access: EditorDep,
    feature_id: IdPath,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Import a CSV of survey answers into the feature (nothing kept if a row is bad)."""
    slug = access.workspace.slug
    # A feature of another workspace answers 404 before the form is looked at.
    catalog.get_feature(access.session, workspace_id=access.workspace.id, feature_id=feature_id)
    if file is None:
        return _to_feature(slug, feature_id, "choose a CSV file")
    raw = file.file.read(MAX_UPLOAD + 1)
    if len(raw) > MAX_UPLOAD:
        return _to_feature(slug, feature_id, f"the file is larger than {MAX_UPLOAD:,} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _to_feature(slug, feature_id, "the file is not UTF-8 text")
    try:
        result = kano_answers.import_kano_csv(
            access.session, actor=access.actor, text=text, feature_id=feature_id
        )
    except InvalidInputError as exc:
        # The import validates the whole file before it writes a row.
        return _to_feature(slug, feature_id, f"nothing imported: {_first(exc)}")
    return _to_feature(slug, feature_id, f"imported {result.created} Kano answers", "ok")


@router.post("/w/{ws}/features/{feature_id}/kano/{response_id}/delete")
def delete_kano(access: EditorDep, feature_id: IdPath, response_id: IdPath) -> Response:
    """Delete one respondent's answers."""
    kano_answers.delete_kano_response(access.session, actor=access.actor, response_id=response_id)
    return _to_feature(access.workspace.slug, feature_id, "Kano answers deleted", "ok")
