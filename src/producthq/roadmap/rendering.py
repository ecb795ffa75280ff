"""Exports of the roadmap from the database: the right rows, drawn or written in a format.

The service-side half of ``exports.py`` (which is pure): it reads the workspace and returns an
``ExportFile``; the routes only wrap it in a response.
"""

import json
from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy.orm import Session

from producthq.accounts.models import Workspace
from producthq.db import utcnow
from producthq.errors import InvalidInputError
from producthq.roadmap import exports
from producthq.roadmap.org import org_chart_svg
from producthq.roadmap.organisation import org_chart
from producthq.roadmap.service import ItemFilter, item_rows, release_marks

ExportFormat = Literal["md", "csv", "json", "svg", "png", "pdf"]
ExportView = Literal["board", "timeline", "org"]
MEDIA = {
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "svg": "image/svg+xml",
    "png": "image/png",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class ExportFile:
    """A rendered export: its bytes, media type and a file name to download it as."""

    content: bytes
    media_type: str
    filename: str


def today() -> date:
    """Return today's date in UTC (the timeline's today line)."""
    return utcnow().date()


def board_svg(session: Session, *, workspace: Workspace, filters: ItemFilter | None = None) -> str:
    """Draw the workspace's board as SVG."""
    rows = item_rows(session, workspace_id=workspace.id, filters=filters)
    return exports.board_svg(rows, f"{workspace.name} roadmap")


def timeline_svg(
    session: Session,
    *,
    workspace: Workspace,
    filters: ItemFilter | None = None,
    group: exports.GroupBy = "team",
) -> str:
    """Draw the workspace's timeline as SVG."""
    rows = item_rows(session, workspace_id=workspace.id, filters=filters)
    marks = release_marks(session, workspace_id=workspace.id)
    title = f"{workspace.name} timeline (by {group})"
    return exports.timeline_svg(rows, marks, today(), group_by=group, title=title)


def org_svg(session: Session, *, workspace: Workspace) -> str:
    """Draw the workspace's org chart as SVG."""
    return org_chart_svg(org_chart(session, workspace_id=workspace.id, title=workspace.name))


def export_file(
    session: Session,
    *,
    workspace: Workspace,
    fmt: ExportFormat,
    view: ExportView = "board",
    group: exports.GroupBy = "team",
    filters: ItemFilter | None = None,
) -> ExportFile:
    """Render the roadmap (or org chart) in a format.

    Text formats (md, csv, json) list the items; drawings (svg, png, pdf) show the view. PDF
    is offered for the timeline and the org chart as well as the board.

    Raises:
        InvalidInputError: a text format asked of the org chart.
    """
    stem = f"{workspace.slug}-{view}"
    if fmt in ("md", "csv", "json"):
        if view == "org":
            raise InvalidInputError.single(
                ("format",), f"the org chart exports as svg, png or pdf, not {fmt}"
            )
        rows = item_rows(session, workspace_id=workspace.id, filters=filters)
        if fmt == "md":
            text = exports.to_markdown(rows, f"{workspace.name} roadmap")
        elif fmt == "csv":
            text = exports.to_csv(rows)
        else:
            text = json.dumps({"items": exports.to_json(rows)}, indent=2, ensure_ascii=False)
        return ExportFile(text.encode("utf-8"), MEDIA[fmt], f"{workspace.slug}-roadmap.{fmt}")
    if view == "org":
        svg = org_svg(session, workspace=workspace)
    elif view == "timeline":
        svg = timeline_svg(session, workspace=workspace, filters=filters, group=group)
    else:
        svg = board_svg(session, workspace=workspace, filters=filters)
    if fmt == "svg":
        data = svg.encode("utf-8")
    elif fmt == "png":
        data = exports.svg_to_png(svg)
    else:
        data = exports.svg_to_pdf(svg)
    return ExportFile(data, MEDIA[fmt], f"{stem}.{fmt}")
