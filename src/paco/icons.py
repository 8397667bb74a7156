"""Font Awesome cut down to the icons the product uses (run by `make setup` and the image build).

    python src/paco/icons.py            # writes build/fontawesome/{css,webfonts}/

The npm package ships every icon (the solid font alone is 119 KB, a third of a phone's first
visit). This reads which icons we use and writes, under `build/fontawesome/` (served as
`static/fontawesome/`, see `settings/storage.py`):

- `css/icons.min.css`: Font Awesome's own stylesheet (base rules, sizes, animations, @font-face)
  with only the icon rules we use;
- `webfonts/*.woff2`: each font subset (fontTools' subsetter) to the glyphs of those icons; a font
  none of them is in is not written.

"Used" means an `fa-<name>` class written in a template, script or Python file of ours (names must
be literal: `fa-{{ x }}` is refused by tests/paco/test_icons.py), plus the glyphs the gov.br
Design System's stylesheet draws with Font Awesome (`content: "\\f00c"`, its br-switch and
br-wizard, in the "Font Awesome 5 Free" family that the stylesheet keeps). Files are rewritten
only when their content changes, so `make demo` collects static files again only after a real
change. Imports no Django.
"""

from __future__ import annotations

import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT_DIR = Path(__file__).resolve().parents[2]
PACKAGE = ROOT_DIR / "node_modules" / "@fortawesome" / "fontawesome-free"
GOVBR_CSS = ROOT_DIR / "node_modules" / "@govbr-ds" / "core" / "dist" / "core.min.css"
OUTPUT = ROOT_DIR / "build" / "fontawesome"
STYLESHEET = "icons.min.css"
SOURCE_TOPS = ("src", "tenants", "shared_apps", "tenant_apps")
SOURCE_SUFFIXES = (".html", ".js", ".py", ".css", ".txt")
# the package's fonts (the v4 compatibility font only maps old names: not shipped)
FONTS = ("fa-solid-900.woff2", "fa-regular-400.woff2", "fa-brands-400.woff2")

CLASS_NAME = re.compile(r"(?<![\w-])fa-([a-z0-9]+(?:-[a-z0-9]+)*)(?![\w-])")
ICON_RULE = re.compile(r'^\s*--fa:\s*"\\([0-9a-f]+)";?\s*$')
# the Design System's stylesheet draws Font Awesome glyphs (private-use code points) with `content:`
GOVBR_GLYPH = re.compile(r'content:\s*"\\([ef][0-9a-f]{3})"')


@dataclass
class Rule:
    prelude: str  # selectors, or an at-rule's head
    body: str  # what is between the braces (nested rules kept as they are)


@dataclass
class Catalogue:
    """Font Awesome's stylesheet read: icon name -> code point, and every other rule in order."""

    codepoints: dict[str, int] = field(default_factory=dict)
    rules: list[Rule | tuple[list[str], int]] = field(default_factory=list)


def _strip_comments(css: str) -> str:
    return re.sub(r"/\*.*?\*/", "", css, flags=re.S)


def _top_level_rules(css: str) -> list[Rule]:
    rules, depth, start, prelude = [], 0, 0, ""
    for index, char in enumerate(css):
        if char == "{":
            if depth == 0:
                prelude, start = css[start:index].strip(), index + 1
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                rules.append(Rule(prelude, css[start:index].strip()))
                start = index + 1
    return rules


def catalogue(package: Path = PACKAGE) -> Catalogue:
    result = Catalogue()
    for rule in _top_level_rules(_strip_comments((package / "css" / "all.css").read_text())):
        match = ICON_RULE.match(rule.body)
        selectors = [selector.strip() for selector in rule.prelude.split(",")]
        if match and all(selector.startswith(".fa-") for selector in selectors):
            names = [selector[len(".fa-") :] for selector in selectors]
            for name in names:
                result.codepoints[name] = int(match.group(1), 16)
            result.rules.append((names, int(match.group(1), 16)))
        else:
            result.rules.append(rule)
    return result


def used_names(tops: tuple[str, ...] = SOURCE_TOPS, root: Path = ROOT_DIR) -> dict[str, set[str]]:
    """Every `fa-<name>` class in our sources -> the files (relative paths) it is written in."""
    found: dict[str, set[str]] = {}
    for top in tops:
        for path in sorted((root / top).rglob("*")):
            if path.suffix not in SOURCE_SUFFIXES or not path.is_file() or path.name == "icons.py":
                continue
            if "static" in path.parts and path.suffix == ".js" and path.name.endswith(".min.js"):
                continue
            for name in CLASS_NAME.findall(path.read_text(errors="replace")):
                found.setdefault(name, set()).add(str(path.relative_to(root)))
    return found


def govbr_codepoints(stylesheet: Path = GOVBR_CSS) -> set[int]:
    """Glyphs the gov.br Design System's own rules draw from Font Awesome."""
    if not stylesheet.exists():
        return set()
    return {int(code, 16) for code in GOVBR_GLYPH.findall(stylesheet.read_text())}


def _minify(css: str) -> str:
    css = re.sub(r"\s+", " ", css)
    css = re.sub(r"\s*([{};,>])\s*", r"\1", css)
    return css.replace(";}", "}").strip()


def stylesheet(cat: Catalogue, icons: set[str], fonts: set[str]) -> str:
    parts = []
    for rule in cat.rules:
        if isinstance(rule, tuple):
            names, codepoint = rule
            kept = [name for name in names if name in icons]
            if kept:
                parts.append(f'{",".join(".fa-" + name for name in kept)}{{--fa:"\\{codepoint:x}"}}')
            continue
        if rule.prelude == "@font-face":
            font = re.search(r"webfonts/([\w.-]+\.woff2)", rule.body)
            if not font or font.group(1) not in fonts:
                continue
        parts.append(f"{rule.prelude}{{{rule.body}}}")
    header = "/* Font Awesome Free (CC BY 4.0 icons, SIL OFL 1.1 fonts, MIT code), cut to Paço's icons */\n"
    return header + _minify("\n".join(parts)) + "\n"


def subset_font(source: Path, codepoints: set[int]) -> bytes | None:
    """The font with only these code points' glyphs (WOFF2), or None when it has none of them."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(source))
    present = codepoints & set(font.getBestCmap())
    if not present:
        return None
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(present))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = "woff2"
    font.save(buffer)
    return buffer.getvalue()


def _write(path: Path, content: bytes) -> bool:
    if path.exists() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return True


@dataclass
class Built:
    icons: list[str]  # the icons kept
    unknown: list[str]  # fa- classes written in our sources that Font Awesome does not have
    fonts: list[str]  # the font files written
    changed: list[Path]


def build(output: Path = OUTPUT, package: Path = PACKAGE) -> Built:
    """Write the cut stylesheet and fonts; returns what was used and what is unknown."""
    cat = catalogue(package)
    names = used_names()
    icons = {name for name in names if name in cat.codepoints}
    unknown = sorted(name for name in names if name not in cat.codepoints and not _utility(cat, name))
    codepoints = {cat.codepoints[name] for name in icons} | govbr_codepoints()
    fonts: set[str] = set()
    changed = []
    for name in FONTS:
        content = subset_font(package / "webfonts" / name, codepoints)
        target = output / "webfonts" / name
        if content is None:
            target.unlink(missing_ok=True)
            continue
        fonts.add(name)
        if _write(target, content):
            changed.append(target)
    for stale in (output / "webfonts").glob("*"):
        if stale.name not in fonts:
            stale.unlink()
    css = stylesheet(cat, icons, fonts).encode()
    if _write(output / "css" / STYLESHEET, css):
        changed.append(output / "css" / STYLESHEET)
    return Built(icons=sorted(icons), unknown=unknown, fonts=sorted(fonts), changed=changed)


def _utility(cat: Catalogue, name: str) -> bool:
    """fa-spin, fa-fw, fa-2x...: a class of Font Awesome's stylesheet that is not an icon."""
    selector = re.compile(rf"\.fa-{re.escape(name)}(?![\w-])")
    return any(isinstance(rule, Rule) and selector.search(rule.prelude) for rule in cat.rules)


def main() -> int:
    if not (PACKAGE / "css" / "all.css").exists():
        print("Font Awesome is not installed: run npm ci (make setup) first", file=sys.stderr)
        return 1
    result = build()
    where = OUTPUT.relative_to(ROOT_DIR)
    print(f"icons: {len(result.icons)} Font Awesome icons in {', '.join(result.fonts)} -> {where}/")
    if result.unknown:
        unknown = ", ".join(result.unknown)
        print(f"warning: not Font Awesome classes (blank squares): {unknown}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
