"""A classifier over the articles' own question variants: how sure the knowledge base is of its best article.

The search score says how close a question is to an article; it does not say how the
article stands against its neighbours ("free shipping" and "shipping costs" are both
close to "do I pay for delivery?"). A logistic regression fitted on the frozen
embeddings of each article's title and question variants (the classification head of
SetFit, without its fine-tuning) learns which directions of the embedding space tell
neighbouring articles apart. Its probability for the best article is a confidence the
answer rule can require: cross-validated on the article variants and search_eval.yml,
at the same share of wrong answers it answers 5-7 points more questions outright than
score and margin alone (BENCHMARKS.md, issue 12).

The fit is small (a few hundred vectors, one class per article: about half a second on
2 cores, a tenth of that warm-started from the previous fit when only variants changed),
so it is redone whenever the knowledge base changes and a taught variant counts at once.
Above MAX_ARTICLES the fit would take too long for that, and there is no head.

Questions a trainer marked as answered by nothing we have (and those answered wrongly) form one
more class, "none of these" (knowledge_base/negative.py): near them, the articles lose confidence.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

MAX_ARTICLES = 1000
C = 10.0  # weak regularisation: the variants are few and clean (chosen with the rule, bench kb-calibrate)
# "balanced": a just-taught article with two variants weighs as much as one with ten.
MAX_ITERATIONS = 300


class ArticleHead:
    """P(article | question vector), over the articles in index order."""

    def __init__(self, model: LogisticRegression, slugs: tuple[str, ...]) -> None:
        self.model = model
        self.slugs = slugs

    @property
    def classes(self) -> int:
        return len(self.model.classes_)

    @classmethod
    def fit(
        cls,
        vectors: np.ndarray,
        labels: np.ndarray,
        slugs: tuple[str, ...],
        previous: ArticleHead | None = None,
        declined: np.ndarray | None = None,
    ) -> ArticleHead | None:
        """Fitted on ``vectors`` labelled with their article's position, and ``declined`` (questions nothing
        should answer) as one class more; None when it cannot tell articles apart."""
        if not 2 <= len(slugs) <= MAX_ARTICLES or len(np.unique(labels)) < len(slugs):
            return None
        if declined is not None and len(declined):
            vectors = np.concatenate([vectors, declined])
            labels = np.concatenate([labels, np.full(len(declined), len(slugs), dtype=labels.dtype)])
        classes = len(np.unique(labels))
        warm = previous is not None and previous.slugs == slugs and previous.classes == classes
        model = LogisticRegression(C=C, max_iter=MAX_ITERATIONS, warm_start=warm, class_weight="balanced")
        if warm:
            assert previous is not None
            model.coef_, model.intercept_ = previous.model.coef_.copy(), previous.model.intercept_.copy()
        with warnings.catch_warnings():
            # A fit stopped at MAX_ITERATIONS still ranks well; the bound keeps a refresh quick.
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(vectors, labels)
        return cls(model, slugs)

    def probabilities(self, query_vector: np.ndarray) -> np.ndarray:
        """Per article in index order (the "none of these" class, when there is one, takes its share)."""
        return self.model.predict_proba(query_vector.reshape(1, -1))[0][: len(self.slugs)]
