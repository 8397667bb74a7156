class NupDigitsConverter:
    """The 17 digits of a NUP, as used in URLs (`/protocolos/10005000001202655/`)."""

    regex = r"\d{17}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return "".join(ch for ch in str(value) if ch.isdigit())
