"""Benchmark: near-duplicate detection precision, recall and F1 on CLINC150 with injected copies.

Ground truth: every text of a CLINC150 split is an item; a seeded sample of them gets one or two
lightly edited copies each (typo, greeting, signature, dropped word, case, punctuation, a
forwarded e-mail wrapper). Items derived from the same source text form the true groups;
rewordings of the same request by different crowd workers (same intent label) are *not*
duplicates and are the hard negatives. Pairwise precision/recall over all pairs inside
predicted groups vs true groups. The threshold is tuned on the ``val`` split and reported on
``test``.

Run: ``python benchmarks/bench_feedback_dedupe.py [--data DIR] [--copies N]``.
Writes ``benchmarks/results/feedback_dedupe.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from itertools import combinations
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from producthq.feedback.dedupe import find_duplicates  # noqa: E402

DEFAULT_DATA = ROOT / ".." / "shared" / "data" / "feedback"

GREETINGS = ["Hi team,\n", "Hello,\n", "Hey there, ", "Dear support,\n", "Hi! ", "Good morning,\n"]
SIGNATURES = [
    "\n\nThanks,\nAnna",
    "\n--\nBob Smith\nAcme Corp",
    "\n\nSent from my iPhone",
    "\nBest regards,\nC. Jones",
    " thanks!",
    "\n\nCheers, Dan",
]


def _typo(rng: random.Random, text: str) -> str:
    words = text.split()
    cands = [i for i, w in enumerate(words) if len(w) > 3]
    if not cands:
        return text
    i = rng.choice(cands)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    op = rng.choice(["swap", "drop", "double", "replace"])
    if op == "swap":
        w = w[: j - 1] + w[j] + w[j - 1] + w[j + 1 :]
    elif op == "drop":
        w = w[:j] + w[j + 1 :]
    elif op == "double":
        w = w[:j] + w[j] + w[j:]
    else:
        w = w[:j] + rng.choice("etaoinsr") + w[j + 1 :]
    words[i] = w
    return " ".join(words)


def _drop_word(rng: random.Random, text: str) -> str:
    words = text.split()
    if len(words) < 5:
        return text
    del words[rng.randrange(len(words))]
    return " ".join(words)


def _case_punct(rng: random.Random, text: str) -> str:
    t = text[0].upper() + text[1:] if text else text
    if rng.random() < 0.5:
        t = t.upper()
    return t + rng.choice(["?", "!", ".", "!!", " ?", "..."])


def _forward(rng: random.Random, text: str) -> str:
    return (
        "---------- Forwarded message ---------\nFrom: Customer <c@example.com>\n"
        f"Subject: Fwd: request\n\n{text}\n\n> earlier thread\n> quoted line"
    )


def edit(rng: random.Random, text: str) -> tuple[str, list[str]]:
    """Apply one or two light edits; return the copy and the names of the edits."""
    ops = {
        "typo": _typo,
        "greeting": lambda r, t: r.choice(GREETINGS) + t,
        "signature": lambda r, t: t + r.choice(SIGNATURES),
        "drop_word": _drop_word,
        "case_punct": _case_punct,
        "forward": _forward,
    }
    names = rng.sample(sorted(ops), rng.choice([1, 2]))
    # edits of the content first, then wrappers (a typo inside a signature is not the point)
    wrappers = ("greeting", "signature", "forward")
    for name in sorted(names, key=lambda n: n in wrappers):
        text = ops[name](rng, text)
    return text, names


def build(
    rows: list[dict[str, str]], split: str, copies: int, seed: int
) -> tuple[list[str], list[int], list[str]]:
    """Items, their source id and the label, with ``copies`` sources given edited copies."""
    rng = random.Random(seed)
    texts = [r["text"] for r in rows if r["split"] == split]
    labels = [r["label"] for r in rows if r["split"] == split]
    # identical source texts are one source
    src_of: dict[str, int] = {}
    source = [src_of.setdefault(" ".join(t.lower().split()), i) for i, t in enumerate(texts)]
    items, srcs, labs = list(texts), list(source), list(labels)
    for i in rng.sample(range(len(texts)), copies):
        for _ in range(rng.choice([1, 1, 2])):
            copy, _ops = edit(rng, texts[i])
            items.append(copy)
            srcs.append(source[i])
            labs.append(labels[i])
    order = list(range(len(items)))
    rng.shuffle(order)
    return [items[o] for o in order], [srcs[o] for o in order], [labs[o] for o in order]


def pair_scores(
    groups: list[tuple[int, ...]], sources: list[int], labels: list[str]
) -> dict[str, float]:
    """Pairwise precision, recall and F1; also how many same-label paraphrase pairs were grouped."""
    pred = {p for g in groups for p in combinations(sorted(g), 2)}
    by_src: dict[int, list[int]] = {}
    for i, s in enumerate(sources):
        by_src.setdefault(s, []).append(i)
    true = {p for g in by_src.values() for p in combinations(sorted(g), 2)}
    tp = len(pred & true)
    precision = tp / len(pred) if pred else 1.0
    recall = tp / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    paraphrase_fp = sum(1 for a, b in pred - true if labels[a] == labels[b])
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "true_pairs": len(true),
        "predicted_pairs": len(pred),
        "paraphrase_false_pairs": paraphrase_fp,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--copies", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with (args.data / "intents_clinc150.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    thresholds = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
    tuning = []
    vx, vs, vl = build(rows, "val", args.copies, args.seed)
    for th in thresholds:
        res = find_duplicates(vx, threshold=th)
        tuning.append({"threshold": th, **pair_scores([g.members for g in res.groups], vs, vl)})
    best = max(tuning, key=lambda r: (r["f1"], r["threshold"]))
    tx, ts, tl = build(rows, "test", args.copies, args.seed + 1)
    t0 = time.perf_counter()
    res = find_duplicates(tx)
    seconds = time.perf_counter() - t0
    test = {"threshold": "default", **pair_scores([g.members for g in res.groups], ts, tl)}
    test_best = find_duplicates(tx, threshold=best["threshold"])
    test_tuned = {
        "threshold": best["threshold"],
        **pair_scores([g.members for g in test_best.groups], ts, tl),
    }
    table = Table(title="Near-duplicate detection (pairwise)")
    for col in [
        "split",
        "threshold",
        "precision",
        "recall",
        "F1",
        "true pairs",
        "pred pairs",
        "same-label FP",
    ]:
        table.add_column(col)
    for name, r in [*(("val", t) for t in tuning), ("test", test), ("test", test_tuned)]:
        table.add_row(
            name,
            str(r["threshold"]),
            f"{r['precision']:.3f}",
            f"{r['recall']:.3f}",
            f"{r['f1']:.3f}",
            str(r["true_pairs"]),
            str(r["predicted_pairs"]),
            str(r["paraphrase_false_pairs"]),
        )
    Console().print(table)
    print(f"test items: {len(tx)}, time {seconds:.2f}s")
    out = {
        "val_tuning": tuning,
        "val_best_threshold": best["threshold"],
        "test_default": test,
        "test_at_val_best": test_tuned,
        "test_items": len(tx),
        "test_seconds": seconds,
    }
    (ROOT / "benchmarks" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "benchmarks" / "results" / "feedback_dedupe.json").write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
