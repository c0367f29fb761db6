"""The sentence-aware network: attention pooling, empty sentences, position, and dense-layer copies."""

from __future__ import annotations

import torch

from models.model import HierConfig, HierModel


def _model(**kwargs: object) -> HierModel:
    torch.manual_seed(0)
    model = HierModel(HierConfig(40, dim=8, **kwargs)).eval()  # type: ignore[arg-type]
    torch.nn.init.normal_(model.embedding.weight)
    return model


def _run(model: HierModel, docs: list[list[list[int]]]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    sentences = [s for d in docs for s in d]
    ids = torch.tensor([i for s in sentences for i in s], dtype=torch.long)
    sent_offsets = torch.tensor([0, *torch.tensor([len(s) for s in sentences]).cumsum(0)[:-1].tolist()])
    doc_offsets = torch.tensor([0, *torch.tensor([len(d) for d in docs]).cumsum(0)[:-1].tolist()])
    with torch.no_grad():
        return model.forward_attention(ids, sent_offsets, doc_offsets)


def test_a_document_is_the_attention_weighted_mean_of_its_sentences() -> None:
    model = _model()
    docs, sents, weights = _run(model, [[[1, 2], [3], [4, 5, 6]], [[7]]])
    assert torch.allclose(weights[:3].sum(), torch.tensor(1.0)) and torch.allclose(
        weights[3], torch.tensor(1.0)
    )
    assert torch.allclose(docs[0], (weights[:3, None] * sents[:3]).sum(0), atol=1e-6)
    assert torch.allclose(docs[1], sents[3], atol=1e-6)  # one sentence: the document says what it says


def test_sentences_without_features_get_no_weight_and_documents_stay_finite() -> None:
    model = _model()
    docs, _, weights = _run(model, [[[1, 2], [], [3]], [[], []]])
    assert float(weights[1]) < 1e-6
    assert torch.isfinite(docs).all()  # nothing known anywhere: uniform weights, no NaN in training


def test_sentence_order_reaches_the_attention_and_the_document_bag_adds_evidence() -> None:
    model = _model()
    forward, _, _ = _run(model, [[[1, 2], [3, 4]]])
    backward, _, _ = _run(model, [[[3, 4], [1, 2]]])
    assert not torch.allclose(forward, backward)  # position features: first and last differ
    with_bag = _model(doc_bag=True)
    torch.nn.init.normal_(with_bag.doc_head.weight)
    plain = _model()
    plain.load_state_dict(with_bag.state_dict())
    assert not torch.allclose(_run(with_bag, [[[1, 2]]])[0], _run(plain, [[[1, 2]]])[0])


def test_copy_dense_from_takes_heads_attention_and_prior() -> None:
    source, target = _model(), HierModel(HierConfig(40, dim=8))
    torch.nn.init.normal_(source.prior)
    target.copy_dense_from(source)
    for mine, theirs in zip(target.dense_parameters(), source.dense_parameters(), strict=True):
        assert torch.equal(mine, theirs)
    assert not torch.equal(target.embedding.weight, source.embedding.weight)  # the table is the caller's
