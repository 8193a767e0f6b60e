"""Resource files are found from a checkout and from a wheel install."""

from __future__ import annotations

import pytest

import explorer.resources as resources


def test_icon_is_found_in_the_checkout() -> None:
    assert resources.resource_path("icon.svg").read_text().lstrip().startswith("<")


def test_a_wheel_install_finds_them_under_share(tmp_path, monkeypatch) -> None:
    """A wheel has no resources/ beside explorer/: the window had no icon."""
    installed = tmp_path / "share" / "mobilenet-explorer"
    installed.mkdir(parents=True)
    (installed / "icon.svg").write_text("<svg/>")
    monkeypatch.setattr(resources, "RESOURCES_DIR", tmp_path / "site-packages" / "resources")
    monkeypatch.setattr(resources, "INSTALLED_RESOURCES_DIR", installed)
    assert resources.resource_path("icon.svg") == installed / "icon.svg"
    with pytest.raises(FileNotFoundError, match="'nope.png' not found"):
        resources.resource_path("nope.png")
