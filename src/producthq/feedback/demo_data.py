"""Demo data of the feedback hub: Acme Analytics' customers and what they said.

About 300 companies, 2,000 people and 5,000 feedback items over the last twelve months,
written from templates around a few clear themes (slow dashboards, SSO/SAML, CSV export,
mobile crashes, pricing confusion, a Slack integration) plus praise and one-offs. Requests for
SSO grow month after month, so trend views have something real to find. Seeded
(``random.Random(42)``), bulk-inserted, and skipped when the workspace already has feedback.
"""

import hashlib
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from producthq.accounts.models import User, Workspace
from producthq.db import utcnow
from producthq.demo.builder import DEMO_STEPS
from producthq.feedback.models import Company, FeedbackItem, Person
from producthq.jobs.service import create_job

N_COMPANIES = 300
N_PEOPLE = 2000
N_FEEDBACK = 5000
DAYS = 365

PREFIXES = (
    "North",
    "Blue",
    "Bright",
    "Silver",
    "Quantum",
    "Red",
    "Green",
    "Iron",
    "Nova",
    "Summit",
    "Harbor",
    "Pixel",
    "Cedar",
    "Atlas",
    "Vertex",
    "Lumen",
    "Orbit",
    "Stone",
    "Maple",
    "Delta",
)
SUFFIXES = (
    "Labs",
    "Logistics",
    "Health",
    "Retail",
    "Bank",
    "Media",
    "Foods",
    "Energy",
    "Systems",
    "Travel",
    "Insurance",
    "Software",
    "Robotics",
    "Studios",
    "Telecom",
    "Learning",
)
FIRST = (
    "Ann",
    "Bob",
    "Chen",
    "Dana",
    "Eve",
    "Farid",
    "Gus",
    "Hana",
    "Ivan",
    "Jade",
    "Kofi",
    "Lena",
    "Mateo",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Uma",
    "Victor",
    "Wei",
)
LAST = (
    "Lee",
    "Stone",
    "Wu",
    "Fox",
    "Garcia",
    "Khan",
    "Müller",
    "Silva",
    "Novak",
    "Okafor",
    "Rossi",
    "Sato",
    "Dubois",
    "Jensen",
    "Costa",
    "Nowak",
    "Patel",
    "Kim",
    "Brown",
    "Haddad",
)
SEGMENTS = (
    ("SMB", 0.55, 3_000, 25_000),
    ("Mid-market", 0.33, 25_000, 120_000),
    ("Enterprise", 0.12, 120_000, 900_000),
)
PLANS = {
    "SMB": ("Starter", "Growth"),
    "Mid-market": ("Growth", "Business"),
    "Enterprise": ("Business", "Enterprise"),
}
COUNTRIES = (
    "United States",
    "United Kingdom",
    "Germany",
    "France",
    "Brazil",
    "India",
    "Japan",
    "Canada",
    "Netherlands",
    "Australia",
)
OWNERS = ("Maya Okafor", "Leo Martin", "Ana Silva")
STAGES = ("customer", "customer", "customer", "trial", "churn risk")

FILL = {
    "dash": ("main", "revenue", "retention", "funnel", "executive", "marketing"),
    "n": ("20", "30", "45", "60", "90"),
    "dim": ("country", "plan", "campaign", "device", "cohort"),
    "idp": ("Okta", "Azure AD", "Google Workspace", "OneLogin", "Ping"),
    "seats": ("150", "400", "1,200", "3,000"),
    "report": (
        "the funnel report",
        "the cohort table",
        "raw events",
        "the retention chart",
        "the weekly KPI report",
    ),
    "rows": ("10,000", "50,000", "100,000"),
    "os": ("iOS", "Android"),
    "thing": ("a saved chart", "the dashboard list", "notifications", "a shared link"),
    "plan": ("Growth", "Business", "Starter"),
    "period": ("morning", "Monday", "week"),
    "feature": ("dark mode", "annotations", "cohort builder", "alerting", "SQL editor"),
}
THEMES: dict[str, tuple[float, tuple[str, ...], tuple[str, ...]]] = {
    # theme: (weight, sources, templates)
    "slow_dashboards": (
        0.2,
        ("support_ticket", "chat", "app_review", "survey_comment"),
        (
            "The {dash} dashboard takes {n} seconds to load every morning.",
            "Dashboards are really slow when we filter by {dim}.",
            "Loading the {dash} dashboard times out for our team; it used to be fast.",
            "Performance of charts is getting worse, {n}s to render the {dash} view.",
        ),
    ),
    "sso": (
        0.16,
        ("sales_call", "email", "support_ticket", "interview"),
        (
            "We need SAML SSO with {idp} before we can roll out to {seats} people.",
            "Our security review requires single sign-on via {idp}.",
            "IT will not approve the renewal without SSO and SCIM provisioning.",
            "Can you support {idp} login? Managing passwords for {seats} users is a pain.",
        ),
    ),
    "csv_export": (
        0.15,
        ("support_ticket", "chat", "survey_comment", "email"),
        (
            "Please let us export {report} as CSV.",
            "The CSV export cuts off after {rows} rows.",
            "We need a scheduled CSV export of {report} for finance.",
            "Exporting {report} to a spreadsheet is impossible right now.",
        ),
    ),
    "mobile_crash": (
        0.13,
        ("app_review", "support_ticket", "chat"),
        (
            "The {os} app crashes when I open {thing}.",
            "App crashes every time I rotate the phone on {thing}.",
            "Since the last update the {os} app closes itself on login.",
        ),
    ),
    "pricing": (
        0.12,
        ("sales_call", "email", "chat", "survey_comment"),
        (
            "It is unclear what counts as a seat on the {plan} plan.",
            "Our invoice shows more seats than we actually use.",
            "The pricing page does not explain the difference between Growth and Business.",
            "We were surprised by overage charges on the {plan} plan.",
        ),
    ),
    "slack": (
        0.1,
        ("chat", "interview", "portal_post", "sales_call"),
        (
            "Would love {report} posted to our Slack channel every {period}.",
            "Is there a Slack integration for alerts when a metric drops?",
            "Please add Slack notifications for new annotations.",
        ),
    ),
    "praise": (
        0.09,
        ("survey_comment", "app_review", "interview", "chat"),
        (
            "Love the new {feature}, it saves me an hour a week.",
            "The {feature} is exactly what we needed, thank you!",
            "Great support team, they fixed our issue in minutes.",
        ),
    ),
    "misc": (
        0.05,
        ("manual", "portal_post", "interview", "email"),
        (
            "Could you add a German translation of the interface?",
            "We would like to annotate charts with release notes.",
            "Please support multiple time zones in one workspace.",
        ),
    ),
}
TAGS = {
    "slow_dashboards": ["performance", "dashboards"],
    "sso": ["sso", "security"],
    "csv_export": ["export"],
    "mobile_crash": ["mobile", "bug"],
    "pricing": ["pricing", "billing"],
    "slack": ["integrations", "slack"],
    "praise": ["praise"],
    "misc": [],
}


OPENERS = (
    "",
    "",
    "",
    "Hi team, ",
    "Hello! ",
    "Quick note from our call: ",
    "Feedback from our admin: ",
    "Not sure if this is known, but ",
    "One more thing. ",
    "From the QBR: ",
)
CLOSERS = (
    "",
    "",
    "",
    " Any ETA?",
    " This is blocking our rollout.",
    " Otherwise we really like the product.",
    " Several people on my team mentioned it.",
    " Happy to jump on a call.",
    " Thanks!",
    " It came up again this week.",
    " We are evaluating alternatives because of this.",
)


CONTEXT = (
    "",
    "",
    " We have about {seats} people on it.",
    " Our {dash} team relies on it every {period}.",
    " It affects every report we break down by {dim}.",
    " We are on the {plan} plan.",
    " Our {dash} numbers go to the board.",
)


def _fill(rng: random.Random, template: str) -> str:
    core = template.format(**{k: rng.choice(v) for k, v in FILL.items()})
    context = rng.choice(CONTEXT).format(**{k: rng.choice(v) for k, v in FILL.items()})
    opener = rng.choice(OPENERS)
    if opener.endswith(("but ", ": ")) and not core.startswith(("SSO", "IT ")):
        core = core[0].lower() + core[1:]
    return f"{opener}{core}{context}{rng.choice(CLOSERS)}"


def _near_copy(rng: random.Random, text: str) -> str:
    """A forwarded or re-pasted copy of an earlier message (the duplicates view finds these)."""
    wrappers = (
        "Fwd: {t}",
        "{t}\n\nSent from my iPhone",
        "Hi,\n{t}\n\nBest regards,\nSam",
        "{t}",
    )
    return rng.choice(wrappers).format(t=text.upper() if rng.random() < 0.1 else text)


def _companies(rng: random.Random, ws_id: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    names: set[str] = set()
    while len(rows) < N_COMPANIES:
        name = f"{rng.choice(PREFIXES)} {rng.choice(SUFFIXES)}"
        if name in names:
            name = f"{name} {len(rows)}"
        names.add(name)
        segment, _w, low, high = rng.choices(SEGMENTS, weights=[s[1] for s in SEGMENTS])[0]
        arr = float(round(rng.uniform(low, high), -2))
        domain = name.lower().replace(" ", "") + ".example"
        rows.append(
            {
                "workspace_id": ws_id,
                "name": name,
                "domain": domain,
                "plan": rng.choice(PLANS[segment]),
                "segment": segment,
                "country": rng.choice(COUNTRIES),
                "arr": arr,
                "mrr": round(arr / 12, 2),
                "lifecycle_stage": rng.choice(STAGES),
                "owner": rng.choice(OWNERS),
                "custom_fields": {"employees": rng.randint(5, 20000)},
                "external_id": f"crm-{len(rows) + 1:04d}",
            }
        )
    return rows


def _when(rng: random.Random, theme: str, now_days: int) -> int:
    """Days ago; SSO requests lean to recent months (a growing theme)."""
    if theme == "sso":
        return int(DAYS * (1 - rng.random() ** 0.35))
    return rng.randrange(now_days)


def add_feedback_demo(
    session: Session, workspace: Workspace, _owner: User, progress: Callable[[str], None]
) -> None:
    """Add the demo companies, people and feedback, unless the workspace has feedback."""
    ws = workspace.id
    has = session.scalar(
        select(func.count()).select_from(FeedbackItem).where(FeedbackItem.workspace_id == ws)
    )
    if has:
        return
    rng = random.Random(42)  # noqa: S311 - demo data, not security
    now = utcnow().replace(microsecond=0)
    progress(f"  {N_COMPANIES} companies, {N_PEOPLE} people, {N_FEEDBACK} feedback items")
    companies = _companies(rng, ws)
    company_ids = list(
        session.scalars(
            insert(Company).returning(Company.id, sort_by_parameter_order=True), companies
        )
    )
    people = []
    for i in range(N_PEOPLE):
        ci = rng.randrange(N_COMPANIES)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        people.append(
            {
                "workspace_id": ws,
                "company_id": company_ids[ci],
                "name": f"{first} {last}",
                "email": f"{first.lower()}.{last.lower()}{i}@{companies[ci]['domain']}",
                "custom_fields": {},
                "external_id": f"user-{i + 1:05d}",
            }
        )
    person_ids = list(
        session.scalars(insert(Person).returning(Person.id, sort_by_parameter_order=True), people)
    )
    themes = list(THEMES)
    weights = [THEMES[t][0] for t in themes]
    items: list[dict[str, Any]] = []
    item_themes: list[str] = []
    for i in range(N_FEEDBACK):
        theme = rng.choices(themes, weights=weights)[0]
        _w, sources, templates = THEMES[theme]
        pi = rng.randrange(N_PEOPLE)
        text = _fill(rng, rng.choice(templates))
        if items and rng.random() < 0.03:
            k = rng.randrange(len(items))
            theme, text = item_themes[k], _near_copy(rng, items[k]["text"])
            _w, sources, templates = THEMES[theme]
        occurred = now - timedelta(days=_when(rng, theme, DAYS), minutes=rng.randrange(1440))
        source = rng.choice(sources)
        item_themes.append(theme)
        items.append(
            {
                "workspace_id": ws,
                "title": "",
                "text": text,
                "source": source,
                "person_id": person_ids[pi],
                "company_id": people[pi]["company_id"],
                "occurred_at": occurred,
                "source_url": None,
                "tags": TAGS[theme] if rng.random() < 0.6 else [],
                "status": rng.choices(("new", "triaged", "archived"), weights=(70, 25, 5))[0],
                "external_id": f"demo-{i + 1:05d}",
                "content_hash": hashlib.sha256(f"{source}\x1f{i}\x1f{text}".encode()).hexdigest(),
                "extra": {},
                "created_at": occurred,
                "updated_at": occurred,
            }
        )
    for start in range(0, N_FEEDBACK, 1000):
        session.execute(insert(FeedbackItem), items[start : start + 1000])
    session.flush()
    # Theme discovery takes tens of seconds: queue it for the server rather than wait here.
    job = create_job(
        session,
        actor=None,
        workspace_id=ws,
        kind="feedback_analysis",
        params={"incremental": False},
    )
    progress(f"  themes: analysis queued as job {job.id}; the server runs it (see Jobs)")


DEMO_STEPS.append(("feedback: customers and their feedback", add_feedback_demo))
