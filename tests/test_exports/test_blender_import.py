# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Blender's own BVH importer (``io_anim_bvh``) on our BVH file.

bpy (Blender as a Python module, PyPI ``bpy``, ~370 MB) is not a test
dependency: this runs only when ``MMMOTIONBERT_BPY_PYTHON`` names a Python
that can ``import bpy``, e.g.::

    python3.11 -m venv /tmp/bpyenv && /tmp/bpyenv/bin/pip install bpy
    MMMOTIONBERT_BPY_PYTHON=/tmp/bpyenv/bin/python pytest tests/test_exports
"""
import os
import subprocess

import numpy as np
import pytest

from mmmotionbert.exports import write_bvh
from mmmotionbert.utils.keypoints import H36M_JOINT_NAMES

from .test_bvh import constant_length_motion

BPY_PYTHON = os.environ.get('MMMOTIONBERT_BPY_PYTHON')

# Imports the file with the importer's defaults (scale 1, Y up and -Z
# forward turned into Blender's Z up) and prints the world position of
# every H36M-17 bone head, frame by frame, in Blender's axes.
SCRIPT = r'''
import sys
import bpy
import addon_utils
bpy.ops.wm.read_factory_settings(use_empty=True)
addon_utils.enable('io_anim_bvh')
bpy.ops.import_anim.bvh(filepath=sys.argv[1], global_scale=1.0,
                        frame_start=1, use_fps_scale=False,
                        update_scene_fps=True, axis_forward='-Z',
                        axis_up='Y')
arm = [o for o in bpy.data.objects if o.type == 'ARMATURE'][0]
scene = bpy.context.scene
print('FPS', scene.render.fps / scene.render.fps_base)
for f in range(int(sys.argv[2])):
    scene.frame_set(f + 1)
    for name in sys.argv[3].split(','):
        h = arm.matrix_world @ arm.pose.bones[name].head
        print('HEAD', h.x, h.y, h.z)
'''


@pytest.mark.skipif(not BPY_PYTHON,
                    reason='set MMMOTIONBERT_BPY_PYTHON to a Python with bpy')
def test_blender_importer_reproduces_the_joints(tmp_path):
    joints = constant_length_motion(frames=40)
    path = write_bvh(str(tmp_path / 'b.bvh'), joints, 50.0)
    log = subprocess.run(
        [BPY_PYTHON, '-c', SCRIPT, path, str(len(joints)),
         ','.join(H36M_JOINT_NAMES)],
        capture_output=True, text=True, timeout=300, check=True).stdout
    fps = [float(line.split()[1]) for line in log.splitlines()
           if line.startswith('FPS')]
    heads = np.array([line.split()[1:] for line in log.splitlines()
                      if line.startswith('HEAD')], float).reshape(40, 17, 3)
    assert fps == [50.0]
    # Blender (x, y, z) is ours (x, -z, y)
    ours = np.stack([heads[..., 0], heads[..., 2], -heads[..., 1]], -1)
    err_mm = np.linalg.norm(ours - joints, axis=-1) * 1000
    assert err_mm.max() < 1.0, err_mm.max()
