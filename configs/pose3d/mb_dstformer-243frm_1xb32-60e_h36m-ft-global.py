# Global (not root-relative) variant (official MB_ft_h36m_global.yaml): the
# model predicts camera-space x, y and depth relative to the first frame's root.
_base_ = ['./mb_dstformer-243frm_1xb32-60e_h36m-ft.py']

model = dict(rootrel=False)
val_evaluator = dict(type='MBH36MMetric', rootrel=False)
test_evaluator = val_evaluator
