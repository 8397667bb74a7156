"""Sending: placeholder until the delivery adapters land (e-mail, SMS)."""


def notification_deliver(*, notification_id: int) -> None:
    raise NotImplementedError
