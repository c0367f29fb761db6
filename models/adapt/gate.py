"""The adaptation gate: is the adapted model really better than the base on the held-out reviews?"""

from __future__ import annotations

from typing import Any

import numpy as np


def bootstrap_share_better(
    truth: np.ndarray, base_pred: np.ndarray, adapted_pred: np.ndarray, resamples: int = 1000, seed: int = 13
) -> float:
    """Share of bootstrap resamples of the held-out reviews on which the adapted macro-F1 beats the base's.

    The same resample judges both models (a paired bootstrap), so the share measures how reliably the
    adapted model is better on reviews like these, not just on this one draw of 40–1,000 reviews.
    Macro-F1 averages over the classes present in the full held-out set, as :func:`models.training.metrics`.
    """
    n = len(truth)
    if n == 0:
        return 0.0
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(n, np.full(n, 1.0 / n), size=resamples).astype(np.float64)  # (B, n)
    classes = np.unique(truth)

    def macro_f1(pred: np.ndarray) -> np.ndarray:
        scores = []
        for c in classes:
            tp = weights @ ((pred == c) & (truth == c))
            fp = weights @ ((pred == c) & (truth != c))
            fn = weights @ ((pred != c) & (truth == c))
            scores.append(
                np.divide(2 * tp, 2 * tp + fp + fn, out=np.zeros(resamples), where=(2 * tp + fp + fn) > 0)
            )
        return np.mean(scores, axis=0)  # (B,)

    return float(np.mean(macro_f1(adapted_pred) > macro_f1(base_pred)))


def gate_verdict(
    base: dict[str, Any],
    adapted: dict[str, Any],
    min_gain: float,
    share_better: float = 1.0,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """The activation gate on held-out macro-F1.

    Passes when the adapted model's macro-F1 exceeds the base's by more than `min_gain` **and** it is
    better on at least `confidence` of paired bootstrap resamples (`share_better`), so a gain that
    is within the noise of a small held-out set (a model trained on shuffled labels) is refused.
    """
    b, a = float(base["macro_f1"]), float(adapted["macro_f1"])
    passed = a - b > min_gain and share_better >= confidence
    word = "PASSED" if passed else "REFUSED"
    relation = "beats" if a > b else "does not beat"
    verdict = (
        f"{word}: adapted macro-F1 {a:.3f} {relation} base {b:.3f} on {base['n']} held-out reviews "
        f"(gain {a - b:+.3f}, better in {share_better:.0%} of bootstrap resamples; "
        f"needs a gain above {min_gain:+.3f} in at least {confidence:.0%})"
    )
    return {"passed": passed, "verdict": verdict, "metric": "macro_f1", "base": b, "adapted": a,
            "gain": round(a - b, 4), "min_gain": min_gain, "share_better": round(share_better, 4),
            "confidence": confidence}  # fmt: skip
