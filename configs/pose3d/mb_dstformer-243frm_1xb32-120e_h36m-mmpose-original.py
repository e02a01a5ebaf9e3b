# As mb_dstformer-243frm_1xb32-120e_h36m-mmpose.py, on mmpose's "original"
# annotations: the official MotionBERT H36M data (Stacked Hourglass 2D
# detections with confidence) as h36m_{train,test}_original.npz, evaluated
# with the official 2.5D factors (h36m_factors.npy). Use mmpose's downloads
# with mmpose's cameras.pkl, or write all four files from the official
# h36m_sh_conf_cam_source_final.pkl into a data root of their own:
#   python tools/dataset_converters/h36m_pkl_to_mmpose_npz.py \
#       data/motion3d/h36m_sh_conf_cam_source_final.pkl data/h36m_mb
# and set data_root (train/val/test_dataloader.dataset.data_root) to it.
_base_ = ['./mb_dstformer-243frm_1xb32-120e_h36m-mmpose.py']

train_dataloader = dict(
    dataset=dict(ann_file='annotation_body3d/fps50/h36m_train_original.npz'))
val_dataloader = dict(
    dataset=dict(
        ann_file='annotation_body3d/fps50/h36m_test_original.npz',
        factor_file='annotation_body3d/fps50/h36m_factors.npy'))
test_dataloader = val_dataloader
