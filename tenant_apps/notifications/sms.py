"""SMS: one adapter over Amazon SNS `Publish`, and a console stand-in for development and demos.

`SMS_BACKEND` picks it ("sns" or "console"). Every number is normalised to E.164 first; a number
that cannot be a Brazilian mobile is a permanent failure (retrying will not fix it), while
throttling and connection errors are temporary (the job is retried with backoff).
"""

from __future__ import annotations

import functools
import logging
import re
import uuid
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from paco.errors import ApplicationError
from paco.schemas import current_schema_name

logger = logging.getLogger(__name__)

# AWS error codes that mean "try again later" (besides any 5xx or 429 answer).
AWS_TEMPORARY_ERROR_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "LimitExceededException",
        "InternalError",
        "InternalFailure",
        "InternalErrorException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
        "KMSThrottling",
    }
)


class InvalidPhoneNumber(ApplicationError):
    pass


class SmsError(Exception):
    """A send that did not go through; `is_temporary` says whether a retry may succeed."""

    is_temporary = True

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.code = code


class SmsTemporaryError(SmsError):
    is_temporary = True


class SmsPermanentError(SmsError):
    is_temporary = False


def aws_error_is_temporary(error: Any) -> bool:
    """A botocore ClientError worth retrying: throttling, AWS-side failures (5xx)."""
    response = getattr(error, "response", None) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    return code in AWS_TEMPORARY_ERROR_CODES or status == 429 or status >= 500


def phone_normalize(raw: str) -> str:
    """A Brazilian mobile number as E.164 (`+55` DDD `9XXXXXXXX`).

    Accepts the usual spellings: `(79) 99999-1234`, `079 99999 1234`, `0 21 79 99999-1234`
    (trunk 0 and carrier code), `55 79 99999-1234`, `+55...`. A pre-2016 eight-digit mobile
    gets its leading 9. Other countries' numbers pass if already in E.164 (`+` and 8-15 digits).
    """
    text = (raw or "").strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("00"):
        text, digits = "+" + digits[2:], digits[2:]
    if text.startswith("+") and not digits.startswith("55"):
        if 8 <= len(digits) <= 15 and not digits.startswith("0"):
            return f"+{digits}"
        raise InvalidPhoneNumber(_("Número de celular inválido para SMS."))
    if text.startswith("+") or (len(digits) in (12, 13) and digits.startswith("55")):
        national = digits[2:]
    else:
        national = digits.lstrip("0")
        if len(national) in (12, 13):
            national = national[2:]  # carrier selection code after the trunk 0
    if len(national) == 10 and national[2] in "6789":
        national = f"{national[:2]}9{national[2:]}"
    if len(national) != 11 or not re.fullmatch(r"[1-9]{2}9\d{8}", national):
        raise InvalidPhoneNumber(_("Número de celular inválido para SMS."))
    return f"+55{national}"


def phone_mask(phone: str) -> str:
    """`+5579999991234` -> `+55 79 9****-1234`, for logs and staff pages."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 13 and digits.startswith("55"):
        return f"+55 {digits[2:4]} {digits[4]}****-{digits[-4:]}"
    return f"****{digits[-4:]}" if len(digits) >= 4 else "****"


class SmsSender(Protocol):
    def send(self, *, phone: str, message: str) -> str:
        """Send one SMS; return the provider's message id. Raises SmsError or InvalidPhoneNumber."""
        ...


@functools.lru_cache(maxsize=8)
def _sns_client(region: str, endpoint_url: str | None) -> Any:
    import boto3
    from botocore.config import Config

    # One quick retry inside botocore; longer outages are retried by the job with backoff.
    config = Config(connect_timeout=5, read_timeout=10, retries={"mode": "standard", "max_attempts": 2})
    return boto3.client("sns", region_name=region, endpoint_url=endpoint_url, config=config)


class SnsSmsSender:
    """Amazon SNS `Publish(PhoneNumber=..., Message=...)` as a transactional SMS."""

    def __init__(self, *, region: str, endpoint_url: str | None, sms_type: str, sender_id: str) -> None:
        self.region = region
        self.endpoint_url = endpoint_url
        self.attributes: dict[str, dict[str, str]] = {
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": sms_type},
        }
        if sender_id:
            self.attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": sender_id}

    def send(self, *, phone: str, message: str) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        number = phone_normalize(phone)
        client = _sns_client(self.region, self.endpoint_url)
        try:
            response = client.publish(PhoneNumber=number, Message=message, MessageAttributes=self.attributes)
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            if aws_error_is_temporary(error):
                raise SmsTemporaryError(str(error), code=code) from error
            raise SmsPermanentError(str(error), code=code) from error
        except BotoCoreError as error:  # connection refused, timeouts, DNS
            raise SmsTemporaryError(str(error), code=type(error).__name__) from error
        return str(response["MessageId"])


class ConsoleSmsSender:
    """Development and demos: the SMS goes to the log and to `SMS_FILE_PATH/<schema>.log`."""

    def __init__(self, *, folder: str) -> None:
        self.folder = Path(folder)

    def send(self, *, phone: str, message: str) -> str:
        number = phone_normalize(phone)
        message_id = f"console-{uuid.uuid4()}"
        self.folder.mkdir(parents=True, exist_ok=True)
        line = f"{timezone.now().isoformat()} {message_id} {number} {message!r}\n"
        with (self.folder / f"{current_schema_name()}.log").open("a", encoding="utf-8") as file:
            file.write(line)
        logger.info("SMS to %s (%s): %s", phone_mask(number), message_id, message)
        return message_id


def sms_sender() -> SmsSender:
    backend = settings.SMS_BACKEND
    if backend == "sns":
        return SnsSmsSender(
            region=settings.AWS_SNS_REGION,
            endpoint_url=settings.AWS_SNS_ENDPOINT_URL,
            sms_type=settings.SMS_TYPE,
            sender_id=settings.SMS_SENDER_ID,
        )
    if backend == "console":
        return ConsoleSmsSender(folder=settings.SMS_FILE_PATH)
    raise ValueError(f"unknown SMS_BACKEND {backend!r} (use 'sns' or 'console')")
