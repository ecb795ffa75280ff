"""Importing companies from CRM exports (HubSpot, Salesforce, any CSV or JSON Lines).

The file is validated whole first, exactly as feedback imports are (see
:mod:`producthq.feedback.importers`); then each row updates the company it matches (external
id, else domain, else name) or creates one, so importing the same file twice changes nothing.
"""

from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.orm import Session

from producthq.audit.service import Actor, record
from producthq.feedback import customers
from producthq.feedback.importers import (
    ImportResult,
    ProgressFn,
    batches,
    no_progress,
    parsed_rows,
    prepare_mapping,
    validate_file,
)
from producthq.feedback.models import Company
from producthq.feedback.rows import ParsedRow

COMPANY_VALUE_FIELDS = (
    "name",
    "domain",
    "plan",
    "segment",
    "country",
    "arr",
    "mrr",
    "lifecycle_stage",
    "owner",
)


def _upsert_company(
    session: Session, workspace_id: int, row: ParsedRow, result: ImportResult
) -> None:
    v = dict(row.values)
    v["domain"] = customers.normalise_domain(v.get("domain"))
    found = customers.find_company(
        session,
        workspace_id=workspace_id,
        external_id=v.get("external_id"),
        domain=v.get("domain"),
        name=v.get("name"),
    )
    if (
        found is not None
        and v.get("external_id")
        and found.external_id
        not in (
            None,
            v["external_id"],
        )
    ):
        found = None  # same domain or name, but another record in the CRM
    if found is None:
        session.add(
            Company(
                workspace_id=workspace_id,
                external_id=v.get("external_id"),
                custom_fields=dict(row.extra),
                **{f: v.get(f) for f in COMPANY_VALUE_FIELDS},
            )
        )
        session.flush()
        result.created += 1
        return
    changed = False
    if v.get("external_id") and found.external_id is None:
        found.external_id = v["external_id"]
        changed = True
    for name in COMPANY_VALUE_FIELDS:
        if v.get(name) not in (None, "") and getattr(found, name) != v[name]:
            setattr(found, name, v[name])
            changed = True
    merged = {**(found.custom_fields or {}), **row.extra}
    if merged != (found.custom_fields or {}):
        found.custom_fields = merged
        changed = True
    if changed:
        result.updated += 1
    else:
        result.skipped += 1


def import_companies_file(
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
    """Import or update companies from a CSV or JSON Lines file (HubSpot, Salesforce, …).

    A row matches an existing company by external id, else domain, else name; a match is
    updated with the row's non-empty values, so importing the same file twice changes nothing.

    Raises:
        InvalidInputError: with every bad row; nothing is written.
    """
    name = filename or path.name
    mapping = prepare_mapping(
        kind="companies", path=path, filename=name, preset=preset, overrides=overrides or {}
    )
    progress(2, "checking every row")
    total = validate_file(path=path, filename=name, mapping=mapping, progress=progress)
    result = ImportResult(rows=total)
    done = 0
    for batch in batches(parsed_rows(path, name, mapping)):
        for row in batch:
            _upsert_company(session, workspace_id, row, result)
        session.flush()
        done += len(batch)
        if write_progress:
            progress(40 + int(60 * done / total), f"imported {done} of {total} companies")
    record(
        session,
        actor=actor,
        workspace_id=workspace_id,
        action="import",
        object_type="company",
        object_id=name[:100],
        summary=f"imported companies from {name}: {result.created} new, {result.updated} updated",
        changes=result.as_dict(),
    )
    if write_progress:
        progress(100, f"{result.created} new, {result.updated} updated, {result.skipped} same")
    return result
