# Copyright (c) mmmotionbert contributors. All rights reserved.
"""Run a command-line program so that the user's errors read as one line.

:func:`run_cli` calls a program's ``main`` and turns the errors that are the
user's (a missing or unreadable file, a bad layout or option, a missing
asset, an unknown name) into ``<program>: error: <message>`` on stderr and
exit status 2, as argparse does for bad options; ``--debug`` anywhere on the
command line shows the traceback instead. Errors that are ours (bugs) keep
their traceback.

What counts as the user's:

* :class:`UserInputError` (raise it for anything the user must fix) and the
  file errors (``FileNotFoundError``, ``IsADirectoryError``,
  ``NotADirectoryError``, ``PermissionError``), ``ImportError`` of an
  optional package and ``KeyboardInterrupt``;
* ``ValueError``/``KeyError``/``TypeError``/``OSError`` raised by
  mmmotionbert's own code or by the program's own folder (our validation
  messages), not by a library deep inside (those are bugs until proven
  otherwise).

With ``out_dir_arg``, files the run created in that folder are removed on
such an error, so nothing half-written is left.

May import: the standard library only.
"""
import os
import os.path as osp
import sys
import traceback
from typing import Any, Callable, List, Optional, Sequence

__all__ = ['UserInputError', 'run_cli', 'is_user_error']

#: This package's folder (``mmmotionbert/``).
_PACKAGE_DIR = osp.dirname(osp.dirname(osp.abspath(__file__)))


class UserInputError(ValueError):
    """An error the user must fix (bad input file, option or asset)."""


_ALWAYS_USER = (UserInputError, FileNotFoundError, IsADirectoryError,
                NotADirectoryError, PermissionError, ImportError)
_USER_IF_OURS = (ValueError, KeyError, TypeError, OSError)


def _raised_by_us(err: BaseException) -> bool:
    """Whether the innermost frame raising ``err`` is this project's code."""
    tb = err.__traceback__
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    if last is None:
        return False
    path = osp.abspath(last.tb_frame.f_code.co_filename)
    script_dir = osp.dirname(osp.abspath(sys.argv[0] or '.'))
    return any(path.startswith(d + os.sep) for d in (_PACKAGE_DIR, script_dir))


def is_user_error(err: BaseException) -> bool:
    """Whether ``err`` is the user's to fix (see the module doc)."""
    if isinstance(err, _ALWAYS_USER):
        return True
    return isinstance(err, _USER_IF_OURS) and _raised_by_us(err)


def _message(err: BaseException) -> str:
    if isinstance(err, KeyError) and len(err.args) == 1:
        msg = str(err.args[0])
    else:
        msg = str(err)
    msg = ' '.join(msg.split()) or type(err).__name__
    if isinstance(err, ImportError) and err.name:
        msg += f' (pip install the package that provides {err.name!r})'
    return msg


def _listing(folder: Optional[str]) -> Optional[set]:
    if not folder or not osp.isdir(folder):
        return None
    return set(os.listdir(folder))


def _out_dir(argv: Sequence[str], flag: Optional[str]) -> Optional[str]:
    if not flag:
        return None
    for i, arg in enumerate(argv):
        if arg == flag and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(flag + '='):
            return arg.split('=', 1)[1]
    return None


def _clean(folder: Optional[str], before: Optional[set],
           existed: bool) -> None:
    """Remove what this run wrote into ``folder``."""
    if not folder or not osp.isdir(folder):
        return
    for name in set(os.listdir(folder)) - (before or set()):
        path = osp.join(folder, name)
        if osp.isfile(path) or osp.islink(path):
            os.remove(path)
    if not existed and not os.listdir(folder):
        os.rmdir(folder)


def run_cli(main: Callable[[List[str]], Any],
            prog: Optional[str] = None,
            argv: Optional[Sequence[str]] = None,
            out_dir_arg: Optional[str] = None,
            default_out_dir: Optional[str] = None) -> Any:
    """Run ``main(argv)``; the user's errors exit 2 with one line.

    Args:
        main (callable): The program, called with the argument list
            (``--debug`` removed), or with none (then ``sys.argv`` holds
            them) when it takes no parameter.
        prog (str, optional): Program name for the message; defaults to the
            script's file name.
        argv (Sequence[str], optional): Arguments; ``sys.argv[1:]`` by
            default.
        out_dir_arg (str, optional): The option naming the output folder
            (e.g. ``'--out-dir'``), whose new files are removed on error.
        default_out_dir (str, optional): That folder when the option is not
            given.

    Returns:
        What ``main`` returns.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    prog = prog or osp.basename(sys.argv[0]) or 'mmmotionbert'
    debug = '--debug' in argv
    argv = [a for a in argv if a != '--debug']
    out_dir = _out_dir(
        argv, out_dir_arg) or (default_out_dir if out_dir_arg else None)
    existed = bool(out_dir) and osp.isdir(out_dir)
    before = _listing(out_dir)
    import inspect
    try:
        takes_argv = bool(inspect.signature(main).parameters)
    except (TypeError, ValueError):
        takes_argv = True
    try:
        if takes_argv:
            return main(argv)
        sys.argv = [sys.argv[0]] + argv  # a main that reads sys.argv
        return main()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        _clean(out_dir, before, existed)
        print(f'{prog}: interrupted', file=sys.stderr)
        sys.exit(130)
    except Exception as err:  # noqa: BLE001  (sorted below)
        _clean(out_dir, before, existed)
        if debug or not is_user_error(err):
            if not debug:
                traceback.print_exc()
                print(
                    f'{prog}: internal error (a bug: please report it '
                    'with the traceback above)',
                    file=sys.stderr)
                sys.exit(1)
            raise
        print(f'{prog}: error: {_message(err)}', file=sys.stderr)
        sys.exit(2)
