"""Property tests: no file name can produce a key outside uploads/<owner>/, or an error other than 400."""

from __future__ import annotations

import fileshare
from fileshare import ApiError, object_key, sanitize_name
from hypothesis import example, given, settings
from hypothesis import strategies as st

OWNER = "alice-123"
FILE_ID = "0123456789abcdef0123456789abcdef"


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=st.characters(codec="utf-8")), st.binary().map(lambda b: b.decode("latin-1"))))
@example("../../etc/passwd")
@example("..")
@example("a/../../b")
@example("\x00evil\n.png")
@example("x" * 5000 + ".png")
@example("ｆｕｌｌ／ｗｉｄｔｈ．png")
@example("\u202etxt.exe")
def test_no_name_escapes_the_owner_prefix(name: str) -> None:
    try:
        safe = sanitize_name(name)
    except ApiError as error:
        assert (error.status, error.code) == (400, "invalid_file_name")
        return
    key = object_key(OWNER, FILE_ID, safe)
    assert key.startswith(f"uploads/{OWNER}/{FILE_ID}/")
    assert key.count("/") == 3
    assert ".." not in key.split("/")
    assert len(safe) <= fileshare.MAX_NAME_LENGTH
    assert all(ch.isprintable() for ch in safe)
    assert fileshare.parse_key(key) == (OWNER, FILE_ID)


def test_long_names_keep_their_extension() -> None:
    safe = sanitize_name("r" * 500 + ".pdf")
    assert len(safe) == fileshare.MAX_NAME_LENGTH and safe.endswith(".pdf")


def test_non_string_names_are_400() -> None:
    for value in (None, 5, ["a"], {"a": 1}):
        try:
            sanitize_name(value)
        except ApiError as error:
            assert (error.status, error.code) == (400, "invalid_file_name")
        else:
            raise AssertionError(f"{value!r} was accepted")
