# MotionBERT mesh recovery finetuned on Human3.6M (official
# configs/mesh/MB_ft_h36m.yaml): the 3DPW recipe without 3DPW and, like the
# official config, without COCO images; H36M clips every epoch, evaluated on
# the H36M test split (best checkpoint by H36M MPJPE).
_base_ = ['./mb_dstformer-16frm_1xb128-60e_pw3d-ft.py']

# Set True to mix COCO images in as the 3DPW recipe does.
mix_coco = False
train_sources = [({{_base_.h36m_train}}, 128, None)
                 ] + ([({{_base_.coco_train}}, 512, None)] if mix_coco else [])

train_dataloader = dict(
    batch_sampler=dict(
        batch_sizes=[s[1] for s in train_sources],
        max_epochs=[s[2] for s in train_sources]),
    dataset=dict(datasets=[s[0] for s in train_sources]))
val_dataloader = dict(dataset=dict(data_file='data/mesh/mesh_det_h36m.pkl'))
test_dataloader = val_dataloader
