import pytest

from project.auth.redirects import safe_next


@pytest.mark.parametrize(
    "target",
    ["/", "/account", "/account/settings?tab=1&x=2", "/a/b#frag", "/%2F%2Fstill-a-path"],
)
def test_same_site_paths_are_kept(target):
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "account",
        "//evil.example",
        "//evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "/\\/evil.example",
        "https://evil.example/",
        "http:/evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
        "/\n/evil.example",
        "/ /evil.example",
        "/\x00",
        "/\x7f/evil.example",  # DEL: promised refused by the docstring (mutation report)
        "///evil.example",
    ],
)
def test_anything_else_is_refused(target):
    assert safe_next(target) is None
