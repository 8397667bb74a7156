"""Font Awesome is served cut to our icons (src/paco/icons.py): no icon we use renders as a blank square.

The stylesheet and fonts checked are the ones Django serves (the staticfiles finders), so a
template that gains an icon after the last `make setup` fails here with what to run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from fontTools.ttLib import TTFont

from paco import icons

REBUILD = "run `make setup` (python src/paco/icons.py) to cut Font Awesome again"


@pytest.fixture(scope="module")
def catalogue():
    return icons.catalogue()


@pytest.fixture(scope="module")
def served():
    css_path = finders.find("fontawesome/css/icons.min.css")
    assert css_path, f"the cut Font Awesome stylesheet is not served: {REBUILD}"
    css = Path(css_path).read_text()
    fonts = {}
    for name in icons.FONTS:
        path = finders.find(f"fontawesome/webfonts/{name}")
        if path:
            fonts[name] = set(TTFont(path).getBestCmap())
    return css, fonts


def test_icon_names_in_templates_are_literal():
    dynamic = []
    for top in icons.SOURCE_TOPS:
        for path in (icons.ROOT_DIR / top).rglob("*.html"):
            if re.search(r"fa-(\{\{|\{%)", path.read_text()):
                dynamic.append(str(path.relative_to(icons.ROOT_DIR)))
    assert not dynamic, f"write icon classes in full (the subset is cut from the literal names): {dynamic}"


def test_every_fa_class_we_write_is_a_font_awesome_class(catalogue):
    unknown = {
        name: sorted(files)
        for name, files in icons.used_names().items()
        if name not in catalogue.codepoints and not icons._utility(catalogue, name)
    }
    assert not unknown, f"not in Font Awesome {icons.PACKAGE.name} (a blank square): {unknown}"


def test_every_icon_used_is_in_the_served_stylesheet_and_font(catalogue, served):
    css, fonts = served
    used = {name: files for name, files in icons.used_names().items() if name in catalogue.codepoints}
    assert {"chevron-right", "home", "check-circle", "circle", "spinner"} <= set(used)
    missing = []
    for name, files in sorted(used.items()):
        codepoint = catalogue.codepoints[name]
        rule = re.search(
            rf'(?:^|[,}}])\.fa-{re.escape(name)}(?=[,{{])[^{{]*\{{--fa:"\\{codepoint:x}"\}}', css
        )
        in_solid = codepoint in fonts.get("fa-solid-900.woff2", set())
        if not rule or not in_solid:
            missing.append((name, sorted(files)[0], "rule" if not rule else "glyph"))
    assert not missing, f"{missing}: {REBUILD}"
    # the one regular-style icon (the onboarding progress's pending step) has its glyph too
    assert catalogue.codepoints["circle"] in fonts["fa-regular-400.woff2"]
    # the gov.br Design System's own Font Awesome glyphs (br-switch's check and cross)
    assert {0xF00C, 0xF00D} <= icons.govbr_codepoints() <= fonts["fa-solid-900.woff2"]
    assert "Font Awesome 5 Free" in css


def test_only_the_cut_fonts_are_served_and_they_match_the_sources(tmp_path, served):
    css, fonts = served
    assert set(fonts) == {"fa-solid-900.woff2", "fa-regular-400.woff2"}  # no brand icon is used
    assert finders.find("fontawesome/css/all.min.css") is None
    for name in fonts:
        assert Path(finders.find(f"fontawesome/webfonts/{name}")).stat().st_size < 15_000
    assert len(css) < 40_000
    for face in re.findall(r"url\([\"']?\.\./webfonts/([\w.-]+)", css):
        assert face in fonts, face
    result = icons.build(output=tmp_path)
    assert result.unknown == []
    assert (tmp_path / "css" / icons.STYLESHEET).read_text() == css, REBUILD
    for name, cmap in fonts.items():
        assert set(TTFont(tmp_path / "webfonts" / name).getBestCmap()) == cmap, REBUILD
