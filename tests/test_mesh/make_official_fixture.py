# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Regenerate ``data/official_mesh_parity.npz`` from the official code.

Not a test. Needs a checkout of Walter0807/MotionBERT (its ``lib`` package)
and ``smplx``; ``ipdb`` (imported by the official loss) may be a stub::

    python tests/test_mesh/make_official_fixture.py /path/to/MotionBERT

The official ``SMPLRegressor``, ``MeshLoss``, ground-truth processing
(``MotionSMPL``), flip test (``train_mesh.validate``) and ``evaluate_mesh``
run on the synthetic SMPL assets of ``write_synthetic_smpl_assets(seed=0)``
with small random head weights; their outputs are stored for
``test_official_parity.py``.
"""
import os.path as osp
import sys
import tempfile
import types

import numpy as np
import torch

HERE = osp.dirname(osp.abspath(__file__))


def main(official_root: str) -> None:
    """Run the official code and write the fixture."""
    sys.path.insert(0, official_root)
    sys.path.insert(0, osp.join(HERE, '..', '..'))
    if 'ipdb' not in sys.modules:
        sys.modules['ipdb'] = types.ModuleType('ipdb')
    from lib.model.loss_mesh import MeshLoss
    from lib.model.model_mesh import MeshRegressor
    from lib.utils.utils_data import flip_data
    from lib.utils.utils_mesh import evaluate_mesh, flip_thetas_batch
    from lib.utils.utils_smpl import SMPL

    from mmmotionbert.datasets.synthetic_mesh import \
        write_synthetic_smpl_assets

    smpl_dir = tempfile.mkdtemp()
    write_synthetic_smpl_assets(smpl_dir, seed=0)
    torch.manual_seed(0)
    args = types.SimpleNamespace(data_root=smpl_dir)
    backbone = torch.nn.Linear(3, 8)

    class _Backbone(torch.nn.Module):

        def __init__(self):
            super().__init__()
            self.lin = backbone

        def get_representation(self, x):
            return self.lin(x)

    model = MeshRegressor(
        args, _Backbone(), dim_rep=8, hidden_dim=16, dropout_ratio=0.0)
    with torch.no_grad():
        for p in model.head.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    x = torch.randn(2, 4, 17, 3)
    gt_theta = torch.cat([torch.randn(2, 4, 72) * 0.3,
                          torch.randn(2, 4, 10)], -1)
    smpl = SMPL(smpl_dir, batch_size=1)
    out = {}
    # ground truth as the official MotionSMPL dataset
    so = smpl(
        betas=gt_theta[..., 72:].reshape(-1, 10),
        body_pose=gt_theta[..., 3:72].reshape(-1, 69),
        global_orient=gt_theta[..., :3].reshape(-1, 3),
        pose2rot=True)
    verts = so.vertices.detach() * 1000.0
    kp = torch.matmul(smpl.J_regressor_h36m, verts)
    verts, kp = verts - kp[:, :1], kp - kp[:, :1]
    gt = dict(
        theta=gt_theta,
        kp_3d=kp.reshape(2, 4, 17, 3),
        verts=verts.reshape(2, 4, -1, 3))
    # training-mode forward and the official loss
    model.train()
    pred = model(x)
    loss = MeshLoss(loss_type='L1', device='cpu')(pred, gt)
    for k, v in loss.items():
        out[f'loss/{k}'] = v.detach().numpy()
    out['train_theta'] = pred[0]['theta'].detach().numpy()
    out['train_kp_3d'] = pred[0]['kp_3d'].detach().numpy()
    # eval-mode forward, flip test and evaluation as train_mesh.validate
    model.eval()
    with torch.no_grad():
        output = model(x)
        output_flip = model(flip_data(x))
        fp = flip_thetas_batch(output_flip[0]['theta'][:, :, :72])
        fp = fp.reshape(-1, 72)
        fs = output_flip[0]['theta'][:, :, 72:].reshape(-1, 10)
        s = smpl(
            betas=fs,
            body_pose=fp[:, 3:],
            global_orient=fp[:, :3],
            pose2rot=True)
        fv = s.vertices * 1000.0
        fk = torch.matmul(smpl.J_regressor_h36m, fv)
        back = dict(
            theta=torch.cat([fp.reshape(2, 4, -1),
                             fs.reshape(2, 4, -1)], -1),
            verts=fv.reshape(2, 4, -1, 3),
            kp_3d=fk.reshape(2, 4, -1, 3))
        final = {k: (output[0][k] + back[k]) * 0.5 for k in back}
    for k in ('theta', 'kp_3d'):
        out[f'eval_{k}'] = output[0][k].numpy()
        out[f'flip_{k}'] = final[k].numpy()
    out['eval_verts_sub'] = output[0]['verts'][:, :, ::97].numpy()
    out['flip_verts_sub'] = final['verts'][:, :, ::97].numpy()
    errors = evaluate_mesh(
        dict(
            kp_3d=final['kp_3d'].numpy(),
            verts=final['verts'].numpy(),
            kp_3d_gt=gt['kp_3d'].numpy(),
            verts_gt=gt['verts'].numpy()))
    for k, v in errors.items():
        out[f'eval/{k}'] = np.asarray(v)
    out['gt_kp_3d'] = gt['kp_3d'].numpy()
    out['gt_verts_sub'] = gt['verts'][:, :, ::97].numpy()
    out['x'] = x.numpy()
    out['gt_theta'] = gt_theta.numpy()
    out['v_template_sum'] = np.asarray(smpl.v_template.double().sum())
    for k, v in model.head.state_dict().items():
        if not k.startswith('smpl.'):
            out[f'head/{k}'] = v.numpy()
    for k, v in backbone.state_dict().items():
        out[f'backbone/{k}'] = v.numpy()
    path = osp.join(HERE, 'data', 'official_mesh_parity.npz')
    np.savez_compressed(path, **out)
    print(f'wrote {path}')


if __name__ == '__main__':
    main(sys.argv[1])
