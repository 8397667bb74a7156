"""Notifications: SMS through Amazon SNS (or a console stand-in), e-mail through SES, SNS webhooks."""

from .env import DATA_DIR, env

# "console" writes each SMS to the log and to SMS_FILE_PATH/<schema>.log; "sns" sends through Amazon SNS.
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default=str(DATA_DIR / "sms"))
SMS_TYPE = env.str("SMS_TYPE", default="Transactional")
SMS_SENDER_ID = env.str("SMS_SENDER_ID", default="")
AWS_SNS_REGION = env.str("AWS_SNS_REGION", default="sa-east-1")
AWS_SNS_ENDPOINT_URL = env.str("AWS_SNS_ENDPOINT_URL", default="") or None

# Days a staff invitation link (/convite/<token>/) stays valid.
STAFF_INVITATION_DAYS = env.int("STAFF_INVITATION_DAYS", default=7)

# Hours a citizen's signup activation link (/cadastro/ativar/<token>/) stays valid.
CITIZEN_ACTIVATION_HOURS = env.int("CITIZEN_ACTIVATION_HOURS", default=48)

# Seconds an SMTP connection may block a delivery job (Django's default is forever).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# Production e-mail through Amazon SES (django-anymail, SESv2 API); see production.py.
USE_SES = env.bool("USE_SES", default=False)
AWS_SES_REGION = env.str("AWS_SES_REGION", default="sa-east-1")
AWS_SES_CONFIGURATION_SET = env.str("AWS_SES_CONFIGURATION_SET", default="")
ANYMAIL = {
    "AMAZON_SES_CLIENT_PARAMS": {"region_name": AWS_SES_REGION},
    **({"AMAZON_SES_CONFIGURATION_SET_NAME": AWS_SES_CONFIGURATION_SET} if AWS_SES_CONFIGURATION_SET else {}),
}

# SES events reach /webhooks/ses/ through SNS. The signing certificate and the subscription URL
# are fetched only from hosts matching this pattern, over https (SNS_ALLOW_HTTP is for tests).
SNS_HOST_PATTERN = env.str("SNS_HOST_PATTERN", default=r"^sns\.[a-z0-9-]+\.amazonaws\.com$")
SNS_ALLOW_HTTP = False
# Topics whose messages are accepted (empty: any topic, as long as AWS signed it).
SES_WEBHOOK_TOPIC_ARNS = env.list("SES_WEBHOOK_TOPIC_ARNS", default=[])
SNS_CERTIFICATE_CACHE_SECONDS = env.int("SNS_CERTIFICATE_CACHE_SECONDS", default=24 * 60 * 60)

# The outbox (issue 10): the notification row is the outbox. Every few minutes a sweep sends again
# what waits too long (a process died between the commit and the send): queued for more than
# NOTIFICATION_REQUEUE_AFTER_SECONDS, or a temporary failure not retried for the second figure.
NOTIFICATION_OUTBOX_SWEEP_MINUTES = env.int("NOTIFICATION_OUTBOX_SWEEP_MINUTES", default=5)
NOTIFICATION_REQUEUE_AFTER_SECONDS = env.int("NOTIFICATION_REQUEUE_AFTER_SECONDS", default=300)
NOTIFICATION_TEMPORARY_REQUEUE_AFTER_SECONDS = env.int(
    "NOTIFICATION_TEMPORARY_REQUEUE_AFTER_SECONDS", default=1800
)
NOTIFICATION_REQUEUE_BATCH = env.int("NOTIFICATION_REQUEUE_BATCH", default=1000)
