"""Print the current 6-digit code of the demo accounts' shared TOTP secret (demo use only)."""

import time
from typing import Any

from django.core.management.base import BaseCommand
from django_otp.oath import totp

from paco_demo import cities as demo


class Command(BaseCommand):
    help = "Print the current TOTP code for the demo accounts."

    def handle(self, *args: Any, **options: Any) -> None:
        code = totp(bytes.fromhex(demo.DEMO_TOTP_KEY_HEX), step=30, t0=0, digits=6)
        remaining = 30 - int(time.time()) % 30
        self.stdout.write(f"{code:06d}  (valid for {remaining} more seconds)")
