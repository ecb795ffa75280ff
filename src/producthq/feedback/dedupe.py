"""Near-duplicate detection: normalise, MinHash/LSH candidates, verify, group.

1. **Normalise** each text: drop quoted forwards (``>`` lines, "Original Message" and
   "Forwarded message" blocks, "On … wrote:"), signatures (``--``, "Sent from my …", a closing
   such as "Thanks, Ann" or "Best regards"), a leading greeting ("Hi team,"), then case,
   accents, punctuation and runs of white space.
2. **Candidates** by MinHash over character 3-gram shingles with locality-sensitive hashing in
   bands (Broder 1997, "On the resemblance and containment of documents"; Leskovec, Rajaraman &
   Ullman, *Mining of Massive Datasets*, ch. 3): only pairs that share a band bucket are
   compared, so the cost grows with the number of near pairs, not with n².
3. **Verify** a candidate pair in two steps: the cosine of character 2–4-gram TF-IDF vectors
   of the normalised texts must reach ``threshold`` (a cheap vectorised filter), then a word
   alignment (Levenshtein 1966 over words, with Damerau's transposition inside words) must show
   a *copy*: at most one word (one in ten on long texts) present on one side only, and at most
   one word (one in eight) changed by a single typo. A rewording by another person changes
   words rather than letters, so it fails the second test even when it shares most words.
4. **Group** by union-find, so groups are the connected components (symmetric and transitively
   closed) of the duplicate relation.

The threshold was tuned on CLINC150's validation split, where rewordings of one request by
different people are *not* duplicates, and checked on the test split (see
``docs/feedback-analysis.md``).
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import TfidfVectorizer

from producthq.errors import InvalidInputError

DEFAULT_THRESHOLD = 0.5
_PRIME = (1 << 61) - 1
_MASK32 = (1 << 32) - 1

_QUOTE_HEADERS = re.compile(
    r"^\s*(-{2,}\s*(original message|forwarded message)\s*-{2,}|begin forwarded message:"
    r"|on .{0,120}wrote:|from:\s.*|sent:\s.*|to:\s.*|subject:\s.*|date:\s.*)\s*$",
    re.IGNORECASE,
)
_SIGNATURE_START = re.compile(
    r"^\s*(--\s*|sent from my .*|get outlook for .*|(kind |best |warm )?regards,?.*"
    r"|best,?|cheers,?.*"
    r"|thanks?( you)?( so much| a lot)?[,!.]*(\s+\w+)?[,!.]?"
    r"|thx,?.*|many thanks,?.*|sincerely,?.*)\s*$",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^\s*(hi|hello|hey|dear|good (morning|afternoon|evening)|greetings)\b"
    r"[^,.!?\n]{0,30}[,.!:\n]\s*",
    re.IGNORECASE,
)
_INLINE_CLOSING = re.compile(
    r"[,.!\s]*\b(thanks|thank you|thx|cheers|regards|best regards|kind regards)\b[^.!?]{0,30}$",
    re.IGNORECASE,
)
_NON_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Reduce a text to what identifies its content for duplicate detection.

    Args:
        text: Raw feedback text (possibly an e-mail with greeting, signature, quoted forward).

    Returns:
        Lower-case words separated by single spaces, without greeting, signature or quote.
    """
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.lstrip().startswith(">") or _QUOTE_HEADERS.match(line):
            if kept:
                break  # the rest is a quoted or forwarded message
            continue  # a forward header before the body
        if kept and _SIGNATURE_START.match(line):
            break
        kept.append(line)
    body = "\n".join(kept).strip()
    content = _INLINE_CLOSING.sub("", _GREETING.sub("", body, count=1))
    # a message that is only a greeting or a thank-you is its own content
    body = content if _NON_WORD.sub("", content).strip() else body
    body = unicodedata.normalize("NFKD", body)
    body = "".join(ch for ch in body if not unicodedata.combining(ch)).lower()
    body = body.replace("'", "").replace("\u2019", "")
    body = _NON_WORD.sub(" ", body)
    return _SPACES.sub(" ", body).strip()


@dataclass(frozen=True)
class DuplicateGroup:
    """Items that are near-duplicates of each other (a connected component)."""

    members: tuple[int, ...]
    similarity: float

    @property
    def canonical(self) -> int:
        """The member to show for the group: the first one."""
        return self.members[0]


@dataclass(frozen=True)
class DedupeResult:
    """Groups of near-duplicates and, for every item, the group's canonical item."""

    groups: tuple[DuplicateGroup, ...]
    canonical: tuple[int, ...]

    @property
    def unique_indices(self) -> list[int]:
        """Indices of the items that are their own canonical item."""
        return [i for i, c in enumerate(self.canonical) if c == i]


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _shingles(text: str, size: int = 3) -> npt.NDArray[np.uint64]:
    padded = f" {text} "
    grams = {padded[i : i + size] for i in range(max(1, len(padded) - size + 1))}
    return np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint64, count=len(grams))


def minhash_signatures(
    texts: Sequence[str], *, num_perm: int = 64, seed: int = 1
) -> npt.NDArray[np.uint64]:
    """MinHash signatures of the texts' character 3-gram shingle sets.

    Args:
        texts: Normalised texts.
        num_perm: Number of hash functions (signature length).
        seed: Seed of the hash functions (fixed, so signatures are reproducible).

    Returns:
        A ``len(texts) × num_perm`` array.
    """
    rng = np.random.default_rng(seed)
    a = rng.integers(1, _MASK32, size=num_perm, dtype=np.uint64)
    b = rng.integers(0, _MASK32, size=num_perm, dtype=np.uint64)
    shingles = [_shingles(t) for t in texts]
    lengths = np.array([len(s) for s in shingles], dtype=np.int64)
    flat = np.concatenate(shingles) if shingles else np.zeros(0, dtype=np.uint64)
    out = np.empty((len(texts), num_perm), dtype=np.uint64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    for p in range(num_perm):  # (a·x + b) mod 2^32 on 32-bit shingle hashes, no overflow
        hashed = (a[p] * flat + b[p]) & np.uint64(_MASK32)
        out[:, p] = np.minimum.reduceat(hashed, starts) if len(flat) else 0
    return out


def _typo_distance_le1(a: str, b: str) -> bool:
    """Whether two words differ by at most one insertion, deletion, substitution or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1 or min(la, lb) < 3:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if la < lb else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def is_near_copy(a: str, b: str) -> bool:
    """Whether normalised text ``b`` is a lightly edited copy of ``a`` (or the reverse).

    Words are aligned by dynamic programming: equal words cost 0, a word with one typo costs 1,
    a word on one side only costs 100. A copy has at most ``max(1, n // 10)`` one-sided words
    (none when ``n < 5``: dropping a word from a short request changes it) and at most
    ``max(1, n // 8)`` typo'd ones, ``n`` the longer text's word count.

    >>> is_near_copy("export dashboards to pdf please", "export dashbaords to pdf")
    True
    >>> is_near_copy("what is my name", "what was my name")
    False
    """
    wa, wb = a.split(), b.split()
    n = max(len(wa), len(wb))
    if n == 0:
        return True
    one_sided = 0 if n < 5 else max(1, n // 10)
    typos = max(1, n // 8)
    if abs(len(wa) - len(wb)) > one_sided:
        return False
    ca, cb = Counter(wa), Counter(wb)
    # a typo'd word is unmatched on both sides, a one-sided word on one: a cheap bound first
    if sum(((ca - cb) + (cb - ca)).values()) > one_sided + 2 * typos:
        return False
    gap, typo = 100, 1
    prev = [j * gap for j in range(len(wb) + 1)]
    for i in range(1, len(wa) + 1):
        cur = [i * gap] + [0] * len(wb)
        for j in range(1, len(wb) + 1):
            x, y = wa[i - 1], wb[j - 1]
            sub = 0 if x == y else (typo if _typo_distance_le1(x, y) else 2 * gap)
            cur[j] = min(prev[j - 1] + sub, prev[j] + gap, cur[j - 1] + gap)
        prev = cur
    cost = prev[-1]
    return cost // gap <= one_sided and cost % gap <= typos


def _candidate_pairs(
    signatures: npt.NDArray[np.uint64], bands: int, max_bucket: int = 200
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Pairs ``(left < right)`` that share at least one band bucket, as two arrays.

    Buckets larger than ``max_bucket`` are skipped (they hold boilerplate, not copies).
    """
    n, width = signatures.shape
    rows = width // bands
    codes: list[npt.NDArray[np.int64]] = []
    for band in range(bands):
        block = np.ascontiguousarray(signatures[:, band * rows : (band + 1) * rows])
        keys = block.view(np.dtype((np.void, block.dtype.itemsize * rows))).ravel()
        _, inverse = np.unique(keys, return_inverse=True)
        order = np.argsort(inverse.ravel(), kind="stable")
        ranked = inverse.ravel()[order]
        starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
        sizes = np.diff(np.r_[starts, n])
        keep = (sizes > 1) & (sizes <= max_bucket)
        for first, size in zip(starts[keep], sizes[keep], strict=True):
            members = np.sort(order[first : first + size]).astype(np.int64)
            i, j = np.triu_indices(int(size), 1)
            codes.append(members[i] * n + members[j])
    if not codes:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    unique = np.unique(np.concatenate(codes))
    return unique // n, unique % n


def find_duplicates(
    texts: Sequence[str],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    num_perm: int = 100,
    bands: int = 20,
) -> DedupeResult:
    """Find groups of near-duplicate texts.

    Args:
        texts: Raw texts.
        threshold: Cosine of character n-gram TF-IDF a pair must reach before the word
            alignment (:func:`is_near_copy`) decides.
        num_perm: MinHash signature length.
        bands: LSH bands (``num_perm / bands`` rows each); more bands find lower-similarity
            candidates at more cost.

    Returns:
        The groups (members sorted, groups ordered by first member) and each item's canonical.
    """
    if not 0.0 < threshold <= 1.0:
        raise InvalidInputError.single(("threshold",), "threshold must be in (0, 1]")
    if num_perm % bands:
        raise InvalidInputError.single(("bands",), "bands must divide num_perm")
    n = len(texts)
    if n == 0:
        return DedupeResult((), ())
    norm = [normalise(t) for t in texts]
    uf = _UnionFind(n)
    # identical normalised texts are duplicates outright; compare only distinct ones
    first_of: dict[str, int] = {}
    for i, t in enumerate(norm):
        if t in first_of:
            uf.union(first_of[t], i)
        else:
            first_of[t] = i
    uniq = sorted(first_of.values())
    best: dict[int, float] = defaultdict(float)
    if len(uniq) > 1:
        utexts = [norm[i] for i in uniq]
        sig = minhash_signatures(utexts, num_perm=num_perm)
        left, right = _candidate_pairs(sig, bands)
        if len(left):
            vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
            mat = vec.fit_transform(utexts)
            # in chunks, so memory stays bounded however many candidates there are
            sims = np.concatenate(
                [
                    np.asarray(
                        mat[left[k : k + 100_000]].multiply(mat[right[k : k + 100_000]]).sum(axis=1)
                    ).ravel()
                    for k in range(0, len(left), 100_000)
                ]
            )
            for a, b, s in zip(
                left[sims >= threshold],
                right[sims >= threshold],
                sims[sims >= threshold],
                strict=True,
            ):
                if not is_near_copy(utexts[int(a)], utexts[int(b)]):
                    continue
                uf.union(uniq[int(a)], uniq[int(b)])
                best[uniq[int(a)]] = max(best[uniq[int(a)]], float(s))
    return _collect(uf, n, best)


def _collect(uf: _UnionFind, n: int, best: dict[int, float]) -> DedupeResult:
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        members[uf.find(i)].append(i)
    groups = []
    canonical = [0] * n
    for root in sorted(members):
        group = members[root]
        for i in group:
            canonical[i] = group[0]
        if len(group) > 1:
            sim = max((best.get(i, 0.0) for i in group), default=0.0)
            groups.append(DuplicateGroup(tuple(group), round(sim if sim > 0 else 1.0, 6)))
    return DedupeResult(tuple(groups), tuple(canonical))
