# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Packaging for mmmotionbert.

Install the whole stack with ``bash tools/install.sh`` (see README); inside an
existing OpenMMLab environment ``pip install -e .`` is enough.
"""
import os
import os.path as osp
import re
import shutil
import sys

from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))


def get_version() -> str:
    """Read ``__version__`` from ``mmmotionbert/version.py``."""
    with open(osp.join(HERE, 'mmmotionbert', 'version.py')) as f:
        return re.search(r"__version__ = '([^']+)'", f.read()).group(1)


def parse_requirements(name: str) -> list:
    """Read one ``requirements/<name>.txt`` file, dropping comments."""
    reqs = []
    with open(osp.join(HERE, 'requirements', f'{name}.txt')) as f:
        for line in f:
            line = line.split('#')[0].strip()
            if line:
                reqs.append(line)
    return reqs


#: Checkpoints shipped inside the package (the default model of
#: ``mmmotionbert.apis.init_lifter`` and the in-the-wild demo).
SHIPPED_CHECKPOINTS = ('mb_pretrain_small_pybullet.pth', )


def _ship(src: str, dst: str, editable: bool) -> None:
    """Link (editable install) or copy (regular build) ``src`` to ``dst``.

    Args:
        src (str): File or folder of the checkout.
        dst (str): Its place under ``mmmotionbert/.mim``.
        editable (bool): Link instead of copying.
    """
    os.makedirs(osp.dirname(dst), exist_ok=True)
    if osp.islink(dst) or osp.isfile(dst):
        os.remove(dst)
    elif osp.isdir(dst):
        shutil.rmtree(dst)
    if editable:
        os.symlink(osp.relpath(src, osp.dirname(dst)), dst)
    elif osp.isdir(src):
        shutil.copytree(src, dst)
    else:
        shutil.copy2(src, dst)


def add_mim_extension() -> None:
    """Ship ``configs/`` and the default checkpoint inside the package.

    As ``mmmotionbert/.mim/configs`` and ``mmmotionbert/.mim/checkpoints``
    (like mmpose's setup: editable installs get symlinks, regular builds
    copies), so ``mim``, the default model of
    ``mmmotionbert.apis.init_lifter`` and users of an installed package find
    them under the same relative paths as in the repository.
    """
    editable = any(cmd in sys.argv for cmd in ('develop', 'editable_wheel'))
    mim = osp.join(HERE, 'mmmotionbert', '.mim')
    src = osp.join(HERE, 'configs')
    if osp.isdir(src):
        _ship(src, osp.join(mim, 'configs'), editable)
    for name in SHIPPED_CHECKPOINTS:
        src = osp.join(HERE, 'checkpoints', name)
        if osp.isfile(src):
            _ship(src, osp.join(mim, 'checkpoints', name), editable)


add_mim_extension()
setup(
    name='mmmotionbert',
    version=get_version(),
    description='MotionBERT (DSTformer) for mmengine, mmpose and mmaction2',
    long_description=open(osp.join(HERE, 'README.md')).read(),
    long_description_content_type='text/markdown',
    author='mmmotionbert contributors',
    license='Apache-2.0',
    python_requires='>=3.8',
    packages=find_packages(exclude=('configs', 'tools', 'demo', 'tests',
                                    'tests.*', 'benchmarks', 'benchmarks.*')),
    include_package_data=True,
    package_data={
        'mmmotionbert': [
            '.mim/configs/**/*.py', '.mim/checkpoints/*.pth', 'data/*',
            'visualization/viewer_template.html',
            'visualization/vendor/three/*'
        ]
    },
    install_requires=parse_requirements('runtime'),
    extras_require={
        'mm': parse_requirements('mminstall'),
        'tests': parse_requirements('tests'),
        'all': parse_requirements('mminstall') + parse_requirements('tests'),
    },
    zip_safe=False,
)
