"""Pix fee guides (tenant_apps.payments, issue 14). Fees go to each city's own Pix key."""

from .env import env

# The city's PSP, in the Banco Central's Pix API shape (PUT /v2/cob/{txid}). Empty: no provider,
# guides carry a BR Code made locally with the city's key and are confirmed by the webhook or by
# staff. Token URL empty: <API URL>/oauth/token. The certificate/key pair is the PSP's mTLS.
PAYMENTS_PIX_API_URL = env.str("PAYMENTS_PIX_API_URL", default="")
PAYMENTS_PIX_TOKEN_URL = env.str("PAYMENTS_PIX_TOKEN_URL", default="")
PAYMENTS_PIX_CLIENT_ID = env.str("PAYMENTS_PIX_CLIENT_ID", default="")
PAYMENTS_PIX_CLIENT_SECRET = env.str("PAYMENTS_PIX_CLIENT_SECRET", default="")
PAYMENTS_PIX_SCOPE = env.str("PAYMENTS_PIX_SCOPE", default="cob.write cob.read")
PAYMENTS_PIX_CERT_FILE = env.str("PAYMENTS_PIX_CERT_FILE", default="")
PAYMENTS_PIX_KEY_FILE = env.str("PAYMENTS_PIX_KEY_FILE", default="")
PAYMENTS_PIX_TIMEOUT_SECONDS = env.float("PAYMENTS_PIX_TIMEOUT_SECONDS", default=10.0)
# Days from issue to the due date of a guide when the caller names none.
PAYMENTS_GUIDE_DUE_DAYS = env.int("PAYMENTS_GUIDE_DUE_DAYS", default=30)
# Local time of the daily job that marks unpaid guides past their due date as expired.
PAYMENTS_EXPIRE_AT = env.str("PAYMENTS_EXPIRE_AT", default="01:30")
# Serve the demo stand-in bank under /demo-banco/ (pays a guide by calling our webhook). Demo only.
PAYMENTS_DEMO_BANK = env.bool("PAYMENTS_DEMO_BANK", default=False)

# The PSP's webhook (POST <registered url>/pix) is authenticated by mutual TLS at the ingress, which
# passes the verification result and the client certificate's subject in these headers (it must
# always overwrite them; docs/operations.md). Django reads them as request.headers[...].
# The address registered at a city's PSP for its webhook (the PSP POSTs to it + "/pix"); `{slug}` is
# the city's. Empty: https://<the city's host>/api/v1/payments/psp.
PAYMENTS_PSP_WEBHOOK_URL = env.str("PAYMENTS_PSP_WEBHOOK_URL", default="")
PAYMENTS_WEBHOOK_CLIENT_VERIFY_HEADER = env.str(
    "PAYMENTS_WEBHOOK_CLIENT_VERIFY_HEADER", default="Ssl-Client-Verify"
)
PAYMENTS_WEBHOOK_CLIENT_SUBJECT_HEADER = env.str(
    "PAYMENTS_WEBHOOK_CLIENT_SUBJECT_HEADER", default="Ssl-Client-Subject-Dn"
)
