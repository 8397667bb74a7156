"""A generated placeholder coat of arms (no third-party artwork): a shield in the city's colours."""

from html import escape

COAT_OF_ARMS_NAME = "branding/brasao.svg"


def initials(name: str) -> str:
    words = [word for word in name.replace("-", " ").split() if word[:1].isupper()]
    letters = "".join(word[0] for word in words[:2]) or name[:2].upper()
    return letters.upper()


def coat_of_arms_svg(*, name: str, state: str, primary_color: str, secondary_color: str) -> str:
    label = escape(initials(name))
    title = escape(f"Brasão provisório de {name} ({state})")
    return f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 140" role="img" aria-label="{title}">
  <title>{title}</title>
  <path d="M10 10 H110 V70 C110 105 85 125 60 135 C35 125 10 105 10 70 Z"
        fill="{primary_color}" stroke="{secondary_color}" stroke-width="6"/>
  <path d="M10 45 H110" stroke="{secondary_color}" stroke-width="4"/>
  <circle cx="60" cy="27" r="9" fill="{secondary_color}"/>
  <text x="60" y="95" text-anchor="middle" font-family="sans-serif" font-size="34"
        font-weight="bold" fill="#ffffff">{label}</text>
  <text x="60" y="120" text-anchor="middle" font-family="sans-serif" font-size="12"
        fill="#ffffff">{escape(state)}</text>
</svg>
"""
