"""Column presets for the exports of common tools, keyed by a stable slug.

A preset lists, for each ProductHQ field, the column names the tool's export uses; the first
one present in the file wins, so one preset covers a tool's CSV export and its API's JSON Lines
(``Subject`` and ``subject``). Columns named ``extra.<name>`` (feedback) or ``custom.<name>``
(companies) keep a value ProductHQ has no field for. ``docs/feedback-import.md`` lists the
columns of each preset and where they come from. Built-ins register exactly as a user-defined
preset would, in :data:`PRESETS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

PresetKind = Literal["feedback", "companies"]


@dataclass(frozen=True)
class Preset:
    """How one tool's export maps onto ProductHQ's import fields."""

    slug: str
    title: str
    kind: PresetKind
    columns: dict[str, tuple[str, ...]]
    defaults: dict[str, str] = field(default_factory=dict)
    tag_separator: str = ","
    skip_empty_text: bool = False
    """Rows without text are skipped (app stores export star-only ratings), not errors."""


PRESETS: dict[str, Preset] = {}


def register(preset: Preset) -> Preset:
    """Add a preset to the registry under its slug."""
    PRESETS[preset.slug] = preset
    return preset


def presets_for(kind: PresetKind) -> list[Preset]:
    """Return the presets of one kind, by title."""
    return sorted((p for p in PRESETS.values() if p.kind == kind), key=lambda p: p.title)


register(
    Preset(
        slug="zendesk",
        title="Zendesk tickets (CSV or JSON export)",
        kind="feedback",
        columns={
            "external_id": ("Id", "id"),
            "title": ("Subject", "subject"),
            "text": ("Description", "description", "Subject", "subject"),
            "occurred_at": ("Created at", "created_at"),
            "author_name": ("Requester", "requester_name"),
            "author_email": ("Requester email", "requester_email"),
            "author_external_id": ("Requester id", "requester_id"),
            "company_name": ("Organization", "organization_name"),
            "company_domain": ("Requester domain",),
            "tags": ("Tags", "tags"),
            "extra.priority": ("Priority", "priority"),
            "extra.channel": ("Via", "via"),
            "extra.ticket_status": ("Status", "status"),
        },
        defaults={"source": "support_ticket"},
        tag_separator=" ",
    )
)

register(
    Preset(
        slug="intercom",
        title="Intercom conversations (CSV export)",
        kind="feedback",
        columns={
            "external_id": ("Conversation ID", "conversation_id", "id"),
            "title": ("Conversation title", "Title", "title"),
            "text": (
                "Conversation first message",
                "First message",
                "Initial message",
                "Message",
                "Body",
                "body",
            ),
            "occurred_at": ("Conversation started at", "Started at", "Created at", "created_at"),
            "author_name": ("User name", "Contact name", "Name", "name"),
            "author_email": ("User email", "Contact email", "Email", "email"),
            "author_external_id": ("User ID", "Contact ID", "user_id"),
            "company_name": ("Company name", "Company", "company_name"),
            "company_external_id": ("Company ID", "company_id"),
            "tags": ("Conversation tags", "Tags", "tags"),
            "source_url": ("Conversation URL", "Link to conversation", "url"),
            "extra.rating": ("Conversation rating", "Rating"),
        },
        defaults={"source": "chat"},
    )
)

register(
    Preset(
        slug="productboard",
        title="Productboard notes (CSV export)",
        kind="feedback",
        columns={
            "external_id": ("Note ID", "note_id", "id"),
            "title": ("Note title", "note_title", "Title", "title"),
            "text": ("Note text", "note_text", "Note content", "Content", "content", "Text"),
            "occurred_at": ("Created at", "created_at", "Created"),
            "author_name": ("User name", "user_name", "Customer name"),
            "author_email": ("User email", "user_email", "Customer email", "customer_email"),
            "company_name": ("Company name", "company_name", "Company"),
            "company_domain": ("Company domain", "company_domain"),
            "tags": ("Tags", "tags"),
            "source_url": ("Display URL", "display_url", "Source URL", "source_url"),
            "extra.owner": ("Owner email", "owner_email", "Owner"),
        },
        defaults={"source": "manual"},
    )
)

register(
    Preset(
        slug="app-reviews",
        title="App store reviews (Google Play Console CSV, App Store review exports)",
        kind="feedback",
        columns={
            "external_id": ("Review ID", "review_id", "Id"),
            "title": ("Review Title", "Title", "title"),
            "text": ("Review Text", "Review", "Content", "content", "review"),
            "occurred_at": (
                "Review Submit Date and Time",
                "Review Last Update Date and Time",
                "Date",
                "date",
            ),
            "author_name": ("Nickname", "Author", "author", "User Name"),
            "source_url": ("Review Link", "url"),
            "extra.rating": ("Star Rating", "Rating", "rating"),
            "extra.app_version": ("App Version Name", "Version", "version"),
            "extra.device": ("Device",),
            "extra.language": ("Reviewer Language", "Language"),
            "extra.country": ("Territory", "Country", "country"),
        },
        defaults={"source": "app_review"},
        skip_empty_text=True,
    )
)

register(
    Preset(
        slug="hubspot",
        title="HubSpot companies (CSV export)",
        kind="companies",
        columns={
            "external_id": ("Record ID", "Company ID", "hs_object_id"),
            "name": ("Company name", "Name", "name"),
            "domain": ("Company Domain Name", "Website URL", "domain"),
            "owner": ("Company owner", "HubSpot Owner"),
            "lifecycle_stage": ("Lifecycle Stage", "lifecyclestage"),
            "country": ("Country/Region", "Country", "country"),
            "arr": ("ARR", "Annual Recurring Revenue", "Total Revenue"),
            "mrr": ("MRR", "Monthly Recurring Revenue"),
            "plan": ("Plan", "Subscription Plan"),
            "segment": ("Segment", "Customer Segment"),
            "custom.industry": ("Industry", "industry"),
            "custom.employees": ("Number of Employees", "numberofemployees"),
            "custom.annual_revenue": ("Annual Revenue", "annualrevenue"),
        },
    )
)

register(
    Preset(
        slug="salesforce",
        title="Salesforce accounts (report export or Data Loader CSV)",
        kind="companies",
        columns={
            "external_id": ("Account ID", "Id", "ID"),
            "name": ("Account Name", "Name"),
            "domain": ("Website", "Account Website"),
            "owner": ("Account Owner", "Owner.Name", "OwnerId"),
            "lifecycle_stage": ("Type", "Account Type"),
            "country": ("Billing Country", "BillingCountry"),
            "arr": ("ARR", "ARR__c", "Annual Recurring Revenue"),
            "mrr": ("MRR", "MRR__c"),
            "plan": ("Plan", "Plan__c"),
            "segment": ("Segment", "Segment__c", "Customer Segment"),
            "custom.industry": ("Industry",),
            "custom.employees": ("Employees", "NumberOfEmployees"),
            "custom.annual_revenue": ("Annual Revenue", "AnnualRevenue"),
        },
    )
)
