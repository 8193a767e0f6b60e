"""Give the process a UTF-8 character type before Qt starts, without Qt's notice.

Qt refuses a non-UTF-8 character type on Unix: under ``LC_ALL=C`` or ``POSIX`` (the default in
many containers, cron jobs and CI runners) it switches ``LC_CTYPE`` to ``C.UTF-8`` itself and
prints four lines ("Detected locale "C" with character encoding "ANSI_X3.4-1968" ...") on
every run of every command, before the app can say anything.  Making that same switch first
leaves Qt nothing to change or say.  Only the plain C/POSIX locale is switched: C.UTF-8 differs
from it in the character encoding alone, whereas another non-UTF-8 locale (``de_DE``, Latin-1)
has a language of its own, so there Qt's notice stays.
"""

from __future__ import annotations

import locale
import os
import sys


def prefer_utf8_ctype() -> bool:
    """Switch a C/POSIX character type to C.UTF-8 (environment and process); True if done."""
    if sys.platform in ("win32", "darwin"):
        return False  # Qt's check is for other Unix systems
    try:
        ctype = locale.setlocale(locale.LC_CTYPE, "")
    except locale.Error:
        return False
    if ctype not in ("C", "POSIX"):
        return False
    # The variable that decided it: LC_ALL overrides LC_CTYPE, which overrides LANG.
    variable = next((v for v in ("LC_ALL", "LC_CTYPE") if os.environ.get(v)), "LC_CTYPE")
    try:
        locale.setlocale(locale.LC_CTYPE, "C.UTF-8")
    except locale.Error:
        return False  # no C.UTF-8 here (glibc < 2.35 without the locale): Qt says so
    os.environ[variable] = "C.UTF-8"  # Qt's QCoreApplication calls setlocale(LC_ALL, "")
    return True
