# Copyright (c) mmmotionbert contributors. All rights reserved.
"""H36MReader: parity with the official DataReaderH36M and clear errors."""
import copy
import pickle

import numpy as np
import pytest

from mmmotionbert.datasets.h36m_reader import (H36MReader, load_h36m_pkl,
                                               resample_indices, split_clips)
from ..conftest import FIXTURES as PARITY_FIXTURES

FIXTURES = PARITY_FIXTURES / 'h36m_eval'
DATA_PKL = FIXTURES / 'h36m_sh_conf_cam_source_final_synthetic.pkl'
needs_fixture = pytest.mark.skipif(
    not DATA_PKL.is_file(), reason='official parity fixture not available')


@pytest.fixture(scope='module')
def raw():
    """The synthetic official-format data dict."""
    return load_h36m_pkl(DATA_PKL)


def _write(tmp_path, data, name='data.pkl'):
    path = tmp_path / name
    with open(path, 'wb') as f:
        pickle.dump(data, f, protocol=4)
    return path


@needs_fixture
def test_parity_with_official_clips():
    reader = H36MReader(
        DATA_PKL, n_frames=27, data_stride_train=9, data_stride_test=27)
    expected = np.load(FIXTURES / 'official_clips.npz')
    train_data, test_data, train_labels, test_labels = \
        reader.get_sliced_data()
    split_id_train, split_id_test = reader.get_split_id()
    ours = dict(
        train_data=train_data,
        test_data=test_data,
        train_labels=train_labels,
        test_labels=test_labels,
        split_id_train=split_id_train,
        split_id_test=split_id_test,
        test_hw=reader.get_hw())
    for key, value in ours.items():
        assert value.dtype == expected[key].dtype, key
        assert value.shape == expected[key].shape, key
        np.testing.assert_array_equal(value, expected[key], err_msg=key)


@needs_fixture
def test_default_strides_are_official(raw):
    reader = H36MReader(raw, n_frames=27)
    assert reader.strides == {'train': 9, 'test': 27}
    # 120- and 95-frame train sources: 11 + 8 clips; test: 61 clips.
    assert len(reader.clip_ids('train')) == 19
    assert len(reader.clip_ids('test')) == 61


def test_split_clips_counts_and_tails():
    sources = ['a'] * 10 + ['b'] * 7
    clips = split_clips(sources, n_frames=4, data_stride=3)
    np.testing.assert_array_equal(clips[:, 0], [0, 3, 6, 10, 13])
    np.testing.assert_array_equal(clips[-1], [13, 14, 15, 16])
    assert clips.dtype == np.int64


def test_split_clips_short_sources():
    # 'b' is short -> one resampled clip in place; the last source 'c' is
    # short too but, as in the official loop, gets no clip.
    sources = ['a'] * 5 + ['b'] * 2 + ['a2'] * 4 + ['c'] * 2
    clips = split_clips(sources, n_frames=4, data_stride=4)
    np.testing.assert_array_equal(clips,
                                  [[0, 1, 2, 3], [5, 5, 6, 6], [7, 8, 9, 10]])


def test_split_clips_non_contiguous_source_resampled_once():
    sources = ['a'] * 2 + ['b'] * 4 + ['a'] * 2 + ['z'] * 4
    clips = split_clips(sources, n_frames=4, data_stride=4)
    # first 'a' run resampled; the second 'a' run is skipped ('a' saved).
    np.testing.assert_array_equal(clips[:, 0], [0, 2, 8])


def test_resample_indices():
    np.testing.assert_array_equal(resample_indices(3, 6), [0, 0, 1, 1, 2, 2])
    rng = np.random.default_rng(0)
    idx = resample_indices(5, 27, rng)
    assert idx.min() >= 0 and idx.max() <= 4
    assert (np.diff(idx) >= 0).all()
    np.testing.assert_array_equal(
        resample_indices(5, 27, np.random.default_rng(1)),
        resample_indices(5, 27, np.random.default_rng(1)))


def test_missing_file(tmp_path):
    missing = tmp_path / 'nope.pkl'
    with pytest.raises(FileNotFoundError, match='nope.pkl'):
        H36MReader(missing)


@needs_fixture
def test_missing_key_names_key(raw, tmp_path):
    data = copy.deepcopy(raw)
    del data['test']['joints_2.5d_image']
    reader = H36MReader(_write(tmp_path, data), n_frames=27)
    with pytest.raises(KeyError, match='joints_2.5d_image'):
        reader.array('test', 'joints_2.5d_image')
    del data['train']
    reader = H36MReader(data, n_frames=27)
    with pytest.raises(KeyError, match="'train'"):
        reader.clip_ids('train')


@needs_fixture
def test_empty_split(raw):
    data = copy.deepcopy(raw)
    data['test'] = {k: v[:0] for k, v in data['test'].items()}
    reader = H36MReader(data, n_frames=27)
    with pytest.raises(ValueError, match="split 'test' is empty"):
        reader.clip_ids('test')


@needs_fixture
def test_unknown_camera(raw):
    data = copy.deepcopy(raw)
    data['test']['camera_name'][40] = '12345678'
    reader = H36MReader(data, n_frames=27)
    with pytest.raises(ValueError, match="'12345678' at row 40"):
        reader.read_2d('test')


@needs_fixture
def test_nan_names_split_and_row(raw):
    data = copy.deepcopy(raw)
    data['train']['joint_2d'][17, 3, 0] = np.nan
    reader = H36MReader(data, n_frames=27)
    with pytest.raises(
            ValueError, match=r"split 'train' key 'joint_2d'.*"
            r'row 17'):
        reader.read_2d('train')


@needs_fixture
def test_inconsistent_lengths(raw):
    data = copy.deepcopy(raw)
    data['test']['2.5d_factor'] = data['test']['2.5d_factor'][:-1]
    with pytest.raises(ValueError, match='2.5d_factor'):
        H36MReader(data, n_frames=27).array('test', '2.5d_factor')


def test_unsafe_pickle_refused(tmp_path):
    path = _write(tmp_path, {'train': {'source': [print]}})
    with pytest.raises(pickle.UnpicklingError, match='builtins.print'):
        load_h36m_pkl(path)
