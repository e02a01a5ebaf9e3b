# Copyright (c) mmmotionbert contributors. All rights reserved.
"""One-shot nearest-exemplar accuracy on constructed cases, the class
filtering dataset and the class-balanced sampler."""
import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope

import mmmotionbert  # noqa: F401
from mmmotionbert.datasets import MBClassBalancedSampler, MBPoseDataset
from mmmotionbert.evaluation.metrics import MBOneShotMetric
from mmmotionbert.evaluation.metrics.oneshot_metric import oneshot_accuracy


def _unit(angle_deg):
    rad = np.deg2rad(angle_deg)
    return torch.tensor([np.cos(rad), np.sin(rad)], dtype=torch.float32)


def _sample(angle, label, split):
    return dict(
        pred_embedding=_unit(angle),
        gt_label=torch.tensor([label]),
        split_name=split)


def test_nearest_exemplar_known_answer():
    # exemplars of classes 0 / 6 / 12 at 0, 90 and 180 degrees
    samples = [
        _sample(0, 0, 'oneshot_train'),
        _sample(90, 6, 'oneshot_train'),
        _sample(180, 12, 'oneshot_train')
    ]
    # queries: class 0 at 10 (ok) and 80 (-> 6, wrong); class 6 at 100 (ok);
    # class 12 at 170 (ok), 260 (-> 12, ok: 80 deg from 180, 170 from 90)
    # and 300 (-> 0, wrong)
    queries = [(10, 0), (80, 0), (100, 6), (170, 12), (260, 12), (300, 12)]
    samples += [_sample(a, c, 'oneshot_val') for a, c in queries]
    metric = MBOneShotMetric(eval_classes=(0, 6, 12))
    metric.dataset_meta = {}
    metric.process({}, samples[:4])
    metric.process({}, samples[4:])
    result = metric.evaluate(len(samples))
    assert result['oneshot/top1'] == pytest.approx(4 / 6)
    # per class: 0 -> 1/2, 6 -> 1/1, 12 -> 2/3
    assert result['oneshot/mean_class_accuracy'] == pytest.approx(
        (0.5 + 1 + 2 / 3) / 3)


def test_cosine_not_euclidean_and_predictions():
    exemplars = torch.stack([_unit(0) * 10, _unit(90) * 0.1])
    queries = torch.stack([_unit(80) * 0.1, _unit(5) * 3])
    out = oneshot_accuracy(exemplars, torch.tensor([1, 2]), queries,
                           torch.tensor([2, 1]))
    assert out['pred'].tolist() == [2, 1]
    assert out['top1'] == 1.0


def test_metric_errors():
    metric = MBOneShotMetric(eval_classes=(0, 6))
    metric.process(
        {}, [_sample(0, 0, 'oneshot_train'),
             _sample(5, 0, 'oneshot_val')])
    with pytest.raises(
            ValueError, match=r'no exemplar for evaluation '
            r'classes \[6\]'):
        metric.compute_metrics(metric.results)
    with pytest.raises(ValueError, match='no exemplar among'):
        MBOneShotMetric().compute_metrics(
            [dict(embed=_unit(0), label=0, exemplar=False)])
    with pytest.raises(ValueError, match='cannot tell exemplars'):
        MBOneShotMetric().process(
            {}, [dict(pred_embedding=_unit(0), gt_label=torch.tensor([0]))])
    with pytest.raises(ValueError, match='needs embeddings'):
        MBOneShotMetric().process({}, [dict(pred_score=_unit(0))])


def test_oneshot_datasets(ntu_pkl, oneshot_pkl):
    with DefaultScope.overwrite_default_scope('mmaction'):
        aux = MBPoseDataset(
            ntu_pkl, pipeline=[], exclude_labels=(0, 3), relabel=True)
        both = MBPoseDataset(
            oneshot_pkl, pipeline=[], split=['oneshot_train', 'oneshot_val'])
        with pytest.raises(
                ValueError,
                match=r"split\(s\) \['nope'\] not "
                r"in .* available: \['xsub_train', 'xsub_val'\]"):
            MBPoseDataset(ntu_pkl, pipeline=[], split='nope')
    # 3 auxiliary classes x 9 samples, relabelled 1, 2, 4 -> 0, 1, 2
    assert len(aux) == 27 and sorted(set(aux.labels)) == [0, 1, 2]
    info = aux.get_data_info(20)
    assert (info['orig_label'], info['label']) == (4, 2)
    assert len(both) == 8
    roles = [both.get_data_info(i)['split_name'] for i in range(8)]
    assert roles.count('oneshot_train') == 2


def test_class_balanced_sampler(ntu_pkl):
    with DefaultScope.overwrite_default_scope('mmaction'):
        ds = MBPoseDataset(ntu_pkl, pipeline=[], split='xsub_train')
    sampler = MBClassBalancedSampler(ds, num_per_class=2, seed=0)
    idx = list(sampler)
    assert len(idx) == len(sampler) == 30
    labels = np.array(ds.labels)[idx].reshape(-1, 2)
    assert (labels[:, 0] == labels[:, 1]).all()  # pairs of one class
    # consecutive groups cycle through all 5 classes before repeating
    assert sorted(labels[:5, 0]) == [0, 1, 2, 3, 4]
    sampler.set_epoch(1)
    assert list(sampler) != idx
