# Copyright (c) mmmotionbert contributors. All rights reserved.
"""One-shot action recognition accuracy (MotionBERT's NTU-120 protocol).

The evaluation set holds one exemplar per evaluation class (NTU-120: the 20
classes 0, 6, ..., 114; split ``oneshot_train`` of
``ntu120_hrnet_oneshot.pkl``) and the query samples (``oneshot_val``). Each
query takes the label of the exemplar whose embedding is most cosine-similar
(official ``train_action_1shot.py::validate``).

May import: numpy, torch, mmengine and :mod:`mmmotionbert.registry`; never
``apis`` or ``datasets``.
"""
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmmotionbert.registry import ACTION_METRICS

__all__ = ['MBOneShotMetric', 'oneshot_accuracy']


def oneshot_accuracy(exemplar_embeds: torch.Tensor,
                     exemplar_labels: torch.Tensor, query_embeds: torch.Tensor,
                     query_labels: torch.Tensor) -> Dict[str, Any]:
    """Nearest-exemplar classification by cosine similarity.

    Args:
        exemplar_embeds (Tensor): (E, D) exemplar embeddings.
        exemplar_labels (Tensor): (E, ) their labels.
        query_embeds (Tensor): (Q, D) query embeddings.
        query_labels (Tensor): (Q, ) true labels.

    Returns:
        dict: ``top1`` (accuracy in [0, 1]), ``mean_class_accuracy`` (mean of
        per-class accuracies over the query classes) and ``pred`` (Q, )
        predicted labels.
    """
    if len(exemplar_embeds) == 0:
        raise ValueError('one-shot evaluation needs exemplars, got none')
    if len(query_embeds) == 0:
        raise ValueError('one-shot evaluation needs query samples, got none')
    sim = F.normalize(
        query_embeds.float(), dim=-1) @ F.normalize(
            exemplar_embeds.float(), dim=-1).T
    pred = exemplar_labels[sim.argmax(dim=1)]
    correct = (pred == query_labels).float()
    per_class = [
        correct[query_labels == c].mean().item()
        for c in torch.unique(query_labels)
    ]
    return dict(
        top1=correct.mean().item(),
        mean_class_accuracy=float(np.mean(per_class)),
        pred=pred)


@ACTION_METRICS.register_module()
class MBOneShotMetric(BaseMetric):
    """One-shot accuracy over exemplar and query embeddings.

    Works with models whose predictions carry ``pred_embedding`` (e.g.
    ``MBRecognizer`` with ``MBActionEmbedHead``). A sample is an exemplar
    when its data sample's ``split_name`` equals ``exemplar_split`` (set by
    :class:`~mmmotionbert.datasets.MBPoseDataset`; pack it with
    ``PackActionInputs(meta_keys=('frame_dir', 'split_name'))``), or when it
    has a true ``is_exemplar`` field. Reported as ``oneshot/top1`` and
    ``oneshot/mean_class_accuracy`` (fractions in [0, 1]).

    Args:
        exemplar_split (str): Split name of the exemplars. Defaults to
            ``'oneshot_train'`` (official one-shot pkl).
        eval_classes (Sequence[int], optional): Classes that must each have
            an exemplar (e.g. the 20 NTU-120 evaluation classes); a missing
            one is an error, queries of other classes are ignored with a
            warning. Defaults to None (no check).
        collect_device (str): Device for collecting results across ranks.
            Defaults to ``'cpu'``.
        prefix (str, optional): Metric name prefix. Defaults to ``'oneshot'``.
    """
    default_prefix: Optional[str] = 'oneshot'

    def __init__(self,
                 exemplar_split: str = 'oneshot_train',
                 eval_classes: Optional[Sequence[int]] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.exemplar_split = exemplar_split
        self.eval_classes = (None if eval_classes is None else sorted(
            int(c) for c in eval_classes))

    def process(self, data_batch: Any, data_samples: Sequence[Dict]) -> None:
        """Keep the embedding, label and role of every sample.

        Args:
            data_batch (Any): The batch (unused).
            data_samples (Sequence[dict]): Model outputs as dicts.
        """
        for sample in data_samples:
            if 'pred_embedding' not in sample:
                raise ValueError(
                    'MBOneShotMetric needs embeddings (pred_embedding); use '
                    'a model with MBActionEmbedHead')
            if 'is_exemplar' in sample:
                is_exemplar = bool(sample['is_exemplar'])
            elif 'split_name' in sample:
                is_exemplar = sample['split_name'] == self.exemplar_split
            else:
                raise ValueError(
                    'MBOneShotMetric cannot tell exemplars from queries: '
                    'samples need split_name (MBPoseDataset + '
                    "PackActionInputs(meta_keys=('split_name', ...))) or "
                    'is_exemplar')
            self.results.append(
                dict(
                    embed=sample['pred_embedding'].detach().cpu().float(),
                    label=int(sample['gt_label'].reshape(-1)[0]),
                    exemplar=is_exemplar))

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        """Classify every query by its nearest exemplar.

        Args:
            results (list[dict]): Collected results of all ranks.

        Returns:
            dict[str, float]: ``top1`` and ``mean_class_accuracy``.
        """
        exemplars = [r for r in results if r['exemplar']]
        queries = [r for r in results if not r['exemplar']]
        if not exemplars:
            raise ValueError(f'MBOneShotMetric: no exemplar among '
                             f'{len(results)} samples (exemplar_split='
                             f'{self.exemplar_split!r})')
        ex_labels = torch.tensor([r['label'] for r in exemplars])
        if self.eval_classes is not None:
            missing = sorted(set(self.eval_classes) - set(ex_labels.tolist()))
            if missing:
                raise ValueError(f'MBOneShotMetric: no exemplar for '
                                 f'evaluation classes {missing}')
            kept = [q for q in queries if q['label'] in self.eval_classes]
            if len(kept) < len(queries):
                MMLogger.get_current_instance().warning(
                    f'MBOneShotMetric: ignored {len(queries) - len(kept)} '
                    f'queries of non-evaluation classes')
            queries = kept
        out = oneshot_accuracy(
            torch.stack([r['embed'] for r in exemplars]), ex_labels,
            torch.stack([r['embed']
                         for r in queries]) if queries else torch.zeros(0, 1),
            torch.tensor([r['label'] for r in queries]))
        return dict(
            top1=out['top1'], mean_class_accuracy=out['mean_class_accuracy'])
