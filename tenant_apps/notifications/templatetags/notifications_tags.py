from django import template

from ..enums import Channel
from ..sms import InvalidPhoneNumber, phone_mask, phone_normalize

register = template.Library()


def address_mask(address: str, channel: str) -> str:
    """Enough to recognise the destination, not to harvest it: `ci***@exemplo.com.br`, `+55 79 9****-1234`."""
    if not address:
        return ""
    if channel == Channel.SMS:
        try:
            return phone_mask(phone_normalize(address))
        except InvalidPhoneNumber:
            return phone_mask(address)
    local, _at, domain = address.partition("@")
    return f"{local[:2]}***@{domain}" if domain else f"{address[:2]}***"


@register.filter(name="address_mask")
def address_mask_filter(notification: object) -> str:
    return address_mask(str(getattr(notification, "address", "")), str(getattr(notification, "channel", "")))
