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


def add_mim_extension() -> None:
    """Ship ``configs/`` inside the package as ``mmmotionbert/.mim/configs``.

    Like mmpose's setup: editable installs get a symlink, regular builds a
    copy, so ``mim`` and users of an installed package find the configs.
    """
    editable = any(cmd in sys.argv for cmd in ('develop', 'editable_wheel'))
    src = osp.join(HERE, 'configs')
    dst_dir = osp.join(HERE, 'mmmotionbert', '.mim')
    dst = osp.join(dst_dir, 'configs')
    if not osp.isdir(src):
        return
    os.makedirs(dst_dir, exist_ok=True)
    if osp.islink(dst) or osp.isfile(dst):
        os.remove(dst)
    elif osp.isdir(dst):
        shutil.rmtree(dst)
    if editable:
        os.symlink(osp.relpath(src, dst_dir), dst)
    else:
        shutil.copytree(src, dst)


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
    package_data={'mmmotionbert': ['.mim/configs/**/*.py', 'data/*']},
    install_requires=parse_requirements('runtime'),
    extras_require={
        'mm': parse_requirements('mminstall'),
        'tests': parse_requirements('tests'),
        'all': parse_requirements('mminstall') + parse_requirements('tests'),
    },
    zip_safe=False,
)
