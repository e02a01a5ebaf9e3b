# Copyright (c) mmmotionbert contributors. All rights reserved.
"""The transform tests use the generated NTU samples of the action tests."""
from ...test_action.conftest import ntu_pkl  # noqa: F401
from ...test_pretrain_data.conftest import one_torch_thread  # noqa: F401
