"""Importing feedback and companies from files, the inbound hook's writes, and the import job.

An import reads its file twice, streaming: the first pass validates every row and gathers every
problem; if there is one, nothing is written and ``InvalidInputError`` carries them all (file,
row, column, reason). The second pass writes in batches inside the caller's unit of work, which
commits once. Rows are keyed by their external id or, without one, by a hash of what identifies
them, so importing the same file again adds nothing.
"""

import re
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from producthq.audit.service import Actor, record
from producthq.db import unit_of_work, utcnow, workspace_scope
from producthq.errors import InvalidInputError, ProblemCollector
from producthq.feedback import customers
from producthq.feedback.models import Company, FeedbackItem, FeedbackStatus, Person
from producthq.feedback.presets import PresetKind
from producthq.feedback.rows import (
    ColumnMapping,
    ParsedRow,
    content_key,
    detect_format,
    read_columns,
    read_rows,
    resolve_mapping,
    validate_row,
)
from producthq.jobs.registry import REGISTRY, JobContext

ProgressFn = Callable[[int, str], None]
BATCH = 500
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
UPLOAD_NAME = re.compile(r"^[0-9a-f]{32}_[A-Za-z0-9._-]{1,120}$")


@dataclass
class ImportResult:
    """What an import did."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    companies_created: int = 0
    people_created: int = 0

    def as_dict(self) -> dict[str, int]:
        """Return the counts as a plain dict (a job's result)."""
        return asdict(self)


def no_progress(_pct: int, _msg: str) -> None:
    return None


# --- uploads -----------------------------------------------------------------------------


def uploads_dir(data_dir: Path) -> Path:
    """Return (and create) the folder where uploaded import files wait for their job."""
    path = data_dir / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_upload(data_dir: Path, filename: str, stream: BinaryIO) -> Path:
    """Copy an uploaded file into the uploads folder under a fresh, safe name.

    Raises:
        InvalidInputError: the file is larger than the limit, or of an unknown format.
    """
    detect_format(filename)
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(filename).name)[-120:] or "upload"
    target = uploads_dir(data_dir) / f"{uuid.uuid4().hex}_{safe}"
    with target.open("wb") as out:
        shutil.copyfileobj(stream, out, length=1024 * 1024)
    if target.stat().st_size > MAX_UPLOAD_BYTES:
        target.unlink()
        raise InvalidInputError.single(
            (filename,), f"{filename} is larger than {MAX_UPLOAD_BYTES // 2**20} MB"
        )
    return target


def find_upload(data_dir: Path, name: str) -> Path:
    """Return a saved upload by its name; raise ``InvalidInputError`` if there is none."""
    path = uploads_dir(data_dir) / name
    if not UPLOAD_NAME.match(name) or not path.is_file():
        raise InvalidInputError.single(("upload",), "the uploaded file is gone; upload it again")
    return path


def original_name(path: Path) -> str:
    """Return the name a saved upload had on the uploader's machine."""
    return path.name.split("_", 1)[1] if UPLOAD_NAME.match(path.name) else path.name


# --- validation pass ---------------------------------------------------------------------


def prepare_mapping(
    *,
    kind: PresetKind,
    path: Path,
    filename: str,
    preset: str | None,
    overrides: Mapping[str, str],
) -> ColumnMapping:
    """Read the file's columns and resolve the mapping (a preset, same names, overrides)."""
    fmt = detect_format(filename)
    if fmt in ("mbox", "eml") and kind != "feedback":
        raise InvalidInputError.single((filename,), "e-mail files hold feedback, not companies")
    columns = read_columns(path, filename)
    return resolve_mapping(
        kind=kind,
        columns=columns,
        preset=preset,
        overrides=overrides,
        filename=filename,
        structured=fmt in ("mbox", "eml"),
    )


def validate_file(
    *, path: Path, filename: str, mapping: ColumnMapping, progress: ProgressFn = no_progress
) -> int:
    """Validate every row; return how many there are, or raise with every problem found.

    Raises:
        InvalidInputError: with one ``Problem`` per bad value, located ``(file, row, column)``.
    """
    problems = ProblemCollector()
    first_row_of: dict[str, int] = {}
    count = 0
    for number, row in read_rows(path, filename):
        count += 1
        parsed = validate_row(
            number=number, row=row, mapping=mapping, filename=filename, problems=problems
        )
        if parsed is not None and parsed.key.startswith("id:"):
            seen = first_row_of.setdefault(parsed.key, number)
            if seen != number:
                column = mapping.fields.get("external_id", "external_id")
                problems.add(
                    (filename, number, column),
                    f"row {number}, column {column!r}: {parsed.key[3:]!r} is already the id "
                    f"of row {seen}; ids must be unique in a file",
                    "duplicate",
                )
        if count % 1000 == 0:
            progress(min(40, 5 + count // 1000), f"checked {count} rows")
    if count == 0:
        problems.add((filename,), f"{filename} has no rows to import", "empty")
    problems.raise_if_any(f"{filename}: nothing imported")
    return count


def parsed_rows(path: Path, filename: str, mapping: ColumnMapping) -> Iterator[ParsedRow]:
    problems = ProblemCollector()
    for number, row in read_rows(path, filename):
        parsed = validate_row(
            number=number, row=row, mapping=mapping, filename=filename, problems=problems
        )
        if parsed is not None:
            yield parsed
    # The file changed between the two passes: refuse rather than write part of it.
    problems.raise_if_any(f"{filename} changed while it was imported")


def batches(rows: Iterable[ParsedRow], size: int = BATCH) -> Iterator[list[ParsedRow]]:
    batch: list[ParsedRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# --- writing -----------------------------------------------------------------------------


class _Customers:
    """Finds or creates the companies and people rows refer to, remembering what it found."""

    def __init__(self, session: Session, workspace_id: int, result: ImportResult) -> None:
        self.session, self.ws, self.result = session, workspace_id, result
        self.companies: dict[tuple[str, str], int] = {}
        self.people: dict[tuple[str, str], int] = {}

    def company(self, v: Mapping[str, Any]) -> int | None:
        ext, domain = (
            v.get("company_external_id"),
            customers.normalise_domain(v.get("company_domain")),
        )
        name = v.get("company_name")
        candidates = (("ext", ext), ("domain", domain), ("name", (name or "").lower()))
        keys = [(k, str(val)) for k, val in candidates if val]
        if not keys:
            return None
        for key in keys:
            if key in self.companies:
                return self.companies[key]
        found = customers.find_company(
            self.session, workspace_id=self.ws, external_id=ext, domain=domain, name=name
        )
        if found is None:
            found = Company(
                workspace_id=self.ws,
                name=name or domain or str(ext),
                domain=domain,
                external_id=ext,
                custom_fields={},
            )
            self.session.add(found)
            self.session.flush()
            self.result.companies_created += 1
        for key in keys:
            self.companies[key] = found.id
        return found.id

    def person(self, v: Mapping[str, Any], company_id: int | None) -> int | None:
        ext, email, name = v.get("author_external_id"), v.get("author_email"), v.get("author_name")
        keys = [(k, str(val)) for k, val in (("ext", ext), ("email", email)) if val]
        if not keys:
            return None
        for key in keys:
            if key in self.people:
                return self.people[key]
        found = customers.find_person(
            self.session, workspace_id=self.ws, external_id=ext, email=email
        )
        if found is None:
            found = Person(
                workspace_id=self.ws,
                name=name or "",
                email=email,
                external_id=ext,
                company_id=company_id,
                custom_fields={},
            )
            self.session.add(found)
            self.session.flush()
            self.result.people_created += 1
        elif found.company_id is None and company_id is not None:
            found.company_id = company_id
        for key in keys:
            self.people[key] = found.id
        return found.id


def _content_hash(values: Mapping[str, Any]) -> str:
    return content_key("feedback", {**values, "external_id": None})[5:]


def _existing_keys(session: Session, workspace_id: int, batch: list[ParsedRow]) -> set[str]:
    ids = [(r.values["source"], r.values["external_id"]) for r in batch if r.key.startswith("id:")]
    hashes = [r.key[5:] for r in batch if r.key.startswith("hash:")]
    found: set[str] = set()
    if ids:
        rows = session.execute(
            select(FeedbackItem.source, FeedbackItem.external_id).where(
                FeedbackItem.workspace_id == workspace_id,
                FeedbackItem.external_id.in_([e for _s, e in ids]),
            )
        ).all()
        found |= {f"id:{s}\x1f{e}" for s, e in rows}
    if hashes:
        found |= {
            f"hash:{h}"
            for h in session.scalars(
                select(FeedbackItem.content_hash).where(
                    FeedbackItem.workspace_id == workspace_id,
                    FeedbackItem.content_hash.in_(hashes),
                )
            )
        }
    return found


def _row_key(row: ParsedRow) -> str:
    if row.key.startswith("id:"):
        return f"id:{row.values['source']}\x1f{row.values['external_id']}"
    return row.key


def write_feedback_rows(
    session: Session,
    *,
    workspace_id: int,
    rows: Iterable[ParsedRow],
    result: ImportResult,
    total: int = 0,
    progress: ProgressFn = no_progress,
) -> list[int]:
    """Write parsed feedback rows, skipping those already stored; return the new items' ids."""
    people = _Customers(session, workspace_id, result)
    created: list[int] = []
    done = 0
    for batch in batches(rows):
        existing = _existing_keys(session, workspace_id, batch)
        items: list[FeedbackItem] = []
        for row in batch:
            key = _row_key(row)
            if key in existing:
                result.skipped += 1
                continue
            existing.add(key)
            v = row.values
            company_id = people.company(v)
            person_id = people.person(v, company_id)
            items.append(
                FeedbackItem(
                    workspace_id=workspace_id,
                    title=(v.get("title") or "")[:500],
                    text=v["text"],
                    source=v["source"],
                    person_id=person_id,
                    company_id=company_id,
                    occurred_at=v.get("occurred_at") or utcnow(),
                    source_url=v.get("source_url"),
                    tags=list(v.get("tags") or []),
                    status=v.get("status") or FeedbackStatus.new.value,
                    external_id=v.get("external_id"),
                    content_hash=_content_hash(v),
                    extra=dict(row.extra),
                )
            )
        session.add_all(items)
        session.flush()
        created.extend(i.id for i in items)
        result.created += len(items)
        done += len(batch)
        if total:
            progress(40 + int(60 * done / total), f"imported {done} of {total} rows")
    return created


def import_feedback_file(
    session: Session,
    *,
    actor: Actor | None,
    workspace_id: int,
    path: Path,
    filename: str | None = None,
    preset: str | None = None,
    overrides: Mapping[str, str] | None = None,
    progress: ProgressFn = no_progress,
    write_progress: bool = True,
) -> ImportResult:
    """Import feedback from a CSV, JSON Lines, mbox or .eml file.

    Args:
        session: The unit of work (committed by the caller).
        actor: Who imports (audited); ``None`` for the system.
        workspace_id: The workspace receiving the feedback.
        path: The file on disk.
        filename: The name shown in problems (default: the file's name).
        preset: A preset slug from :data:`producthq.feedback.presets.PRESETS`.
        overrides: ``{field: column}`` choices that win over the preset.
        progress: Called with (percent, message) as the import goes.
        write_progress: Report progress while writing too (a job on SQLite cannot: its own
            progress update would wait for the import's write lock).

    Returns:
        The counts of rows, created, skipped (already imported) items and new customers.

    Raises:
        InvalidInputError: with every bad row; nothing is written.
    """
    name = filename or path.name
    mapping = prepare_mapping(
        kind="feedback", path=path, filename=name, preset=preset, overrides=overrides or {}
    )
    progress(2, "checking every row")
    total = validate_file(path=path, filename=name, mapping=mapping, progress=progress)
    progress(40, f"all {total} rows are valid; writing")
    result = ImportResult(rows=total)
    write_feedback_rows(
        session,
        workspace_id=workspace_id,
        rows=parsed_rows(path, name, mapping),
        result=result,
        total=total,
        progress=progress if write_progress else no_progress,
    )
    record(
        session,
        actor=actor,
        workspace_id=workspace_id,
        action="import",
        object_type="feedback",
        object_id=name[:100],
        summary=f"imported {result.created} feedback item(s) from {name} "
        f"({result.skipped} already there)",
        changes=result.as_dict(),
    )
    if write_progress:
        progress(100, f"{result.created} created, {result.skipped} already there")
    return result


# --- the job -----------------------------------------------------------------------------


@REGISTRY.register("feedback_import", "Import feedback or companies from a file")
def run_import_job(ctx: JobContext) -> dict[str, Any]:
    """Run an import saved in the uploads folder; the job's result holds the counts."""
    params = ctx.params
    path = find_upload(ctx.settings.data_dir, str(params.get("upload", "")))
    kind = "companies" if params.get("kind") == "companies" else "feedback"
    overrides = {str(k): str(v) for k, v in dict(params.get("mapping") or {}).items() if v}
    actor_id = params.get("actor_user_id")
    actor = (
        Actor(int(actor_id), str(params.get("actor_label", "import")), ctx.workspace_id, "editor")
        if actor_id
        else None
    )
    is_sqlite = ctx.session_factory.kw["bind"].dialect.name == "sqlite"
    from producthq.feedback.company_import import import_companies_file

    run = import_companies_file if kind == "companies" else import_feedback_file
    try:
        with (
            unit_of_work(ctx.session_factory) as session,
            workspace_scope(session, ctx.workspace_id),
        ):
            result = run(
                session,
                actor=actor,
                workspace_id=ctx.workspace_id,
                path=path,
                filename=original_name(path),
                preset=params.get("preset") or None,
                overrides=overrides,
                progress=ctx.progress,
                write_progress=not is_sqlite,
            )
    except InvalidInputError as exc:
        lines = [exc.message] + [f"  {p.message}" for p in exc.details[1:50]]
        raise InvalidInputError("\n".join(lines), details=exc.details) from exc
    path.unlink(missing_ok=True)
    return {"kind": kind, **result.as_dict()}
