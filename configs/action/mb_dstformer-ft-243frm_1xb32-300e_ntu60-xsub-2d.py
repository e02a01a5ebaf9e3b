# NTU-60 cross-subject, finetuned from the pretrained MotionBERT
# (official MB_ft_NTU60_xsub.yaml; paper top-1 93.0).
_base_ = ['_base_/mb_ntu_2d.py']
