# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The small base our pipeline datasets share, on mmengine's ``BaseDataset``.

:class:`MBPipelineDataset` keeps the pipeline's configs
(``pipeline_cfg``), builds the transforms from mmpose's registry
(:func:`~.default_pipelines.build_transforms`), never serializes the data
list (items are views into arrays held by the dataset) and gives
``__getitem__`` an explicit range check instead of mmengine's refetching.

May import: mmengine and :mod:`.default_pipelines`; never ``apis``.
"""
from typing import Any, Sequence

from mmengine.dataset import BaseDataset

from .default_pipelines import build_transforms

__all__ = ['MBPipelineDataset']


class MBPipelineDataset(BaseDataset):
    """``BaseDataset`` with a built, unserialized pipeline.

    Args:
        pipeline (Sequence): Transform configs (dicts) or built transforms;
            kept as ``pipeline_cfg``.
        **kwargs: Other ``BaseDataset`` arguments (``test_mode``,
            ``data_root``, ``lazy_init``).
    """

    #: The ``IndexError`` message of an index out of range.
    out_of_range = 'clip index {index} out of range for {size} clips'

    def __init__(self, pipeline: Sequence[Any], **kwargs) -> None:
        self.pipeline_cfg = list(pipeline)
        super().__init__(
            serialize_data=False,
            pipeline=build_transforms(self.pipeline_cfg),
            **kwargs)

    def __getitem__(self, index: int) -> dict:
        """Item ``index`` (negative counts from the end).

        Raises:
            IndexError: ``index`` out of ``[-len(self), len(self))``.
        """
        if not -len(self) <= index < len(self):
            raise IndexError(
                self.out_of_range.format(index=index, size=len(self)))
        return self.prepare_data(int(index) % len(self))
