"""What the databases can store, checked where input arrives (page saves, API bodies).

Row ids are signed 64-bit integers: a larger number names no row, and handing it to the
database driver fails with an overflow.  Text may not hold NUL (PostgreSQL refuses it) nor
lone surrogates such as ``\\ud800`` (JSON can spell them; they are no characters and have
no UTF-8 form, so SQLite's driver cannot encode them).  Both would end as a database error
after the work of a save; checked first, they get a clear refusal.
"""

from __future__ import annotations

import re

from flask_babel import gettext

#: The largest row id SQLite and PostgreSQL store.
MAX_ROW_ID = 2**63 - 1

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def is_row_id(value: int) -> bool:
    """Whether ``value`` can be the id of a row."""
    return 0 < value <= MAX_ROW_ID


def unstorable(name: str, value: str) -> str | None:
    """Why ``value`` (of the field ``name``) cannot be stored, or ``None`` if it can."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    line = value.count("\n", 0, found.start()) + 1
    if found.group() == "\x00":
        return gettext("'%(name)s' contains a NUL character (U+0000) on line %(line)s, which cannot be stored.",
                       name=name, line=line)
    return gettext("'%(name)s' contains U+%(code)04X on line %(line)s: half of a UTF-16 surrogate pair, which is "
                   "not a character and cannot be stored.", name=name, code=ord(found.group()), line=line)
