"""Signatures (tenant_apps.signatures) and document templates (tenant_apps.doctemplates)."""

from .env import env

# The passphrase that encrypts every city's internal CA and document-signing keys at rest (PKCS#8,
# scrypt/AES). Production sets it from a secret; the default is for development and tests only.
SIGNATURES_KEY_PASSPHRASE = env.str("SIGNATURES_KEY_PASSPHRASE", default="dev-only-signatures-passphrase")
# ICP-Brasil trust anchors (PEM files) for qualified signatures, and revocation lists (DER or PEM
# CRL files, refreshed by operations). Empty: qualified signatures are refused with the reason.
SIGNATURES_ICP_ROOTS = env.list("SIGNATURES_ICP_ROOTS", default=[])
SIGNATURES_ICP_CRLS = env.list("SIGNATURES_ICP_CRLS", default=[])
# RFC 3161 timestamp authority; empty: signatures carry no timestamp.
SIGNATURES_TSA_URL = env.str("SIGNATURES_TSA_URL", default="")
# DOC-ICP-15.03: the AD-RB PAdES signature policy (PA_PAdES_AD_RB_v1_3), its OID, the SHA-256 of
# its SignPolicyInfo (as published by ITI with the policy file) and its URI. Empty OID: no policy.
SIGNATURES_POLICY_OID = env.str("SIGNATURES_POLICY_OID", default="2.16.76.1.7.1.11.1.3")
SIGNATURES_POLICY_SHA256 = env.str(
    "SIGNATURES_POLICY_SHA256", default="23e4be4b9b362172e4ebb0e72b86a133ece5aad843d8651c6e38a0ba3f08fc60"
)
SIGNATURES_POLICY_URI = env.str(
    "SIGNATURES_POLICY_URI", default="http://politicas.icpbrasil.gov.br/PA_PAdES_AD_RB_v1_3.der"
)
# How many documents one "sign all" action of a signing block takes.
SIGNATURES_BLOCK_MAX_DOCUMENTS = env.int("SIGNATURES_BLOCK_MAX_DOCUMENTS", default=200)

# gov.br assinatura (Assinatura Avançada gov.br). Off unless the client id is set.
GOVBR_SIGN_CLIENT_ID = env.str("GOVBR_SIGN_CLIENT_ID", default="")
GOVBR_SIGN_CLIENT_SECRET = env.str("GOVBR_SIGN_CLIENT_SECRET", default="")
GOVBR_SIGN_OAUTH_URL = env.str("GOVBR_SIGN_OAUTH_URL", default="https://cas.iti.br/oauth2.0")
GOVBR_SIGN_API_URL = env.str("GOVBR_SIGN_API_URL", default="https://assinatura-api.iti.br/externo/v2")
GOVBR_SIGN_TIMEOUT_SECONDS = env.float("GOVBR_SIGN_TIMEOUT_SECONDS", default=20.0)
# PEM files of the roots of the gov.br signing certificates (validation of gov.br signatures).
GOVBR_SIGN_ROOTS = env.list("GOVBR_SIGN_ROOTS", default=[])
# DEMONSTRATION ONLY: the local stand-in of gov.br assinatura (/demo-govbr-assinatura/ on the control
# plane's host, paco_demo.govbr_sign). Only `make demo` turns it on (settings/demo.py); never production.
GOVBR_SIGN_DEMO_STANDIN = env.bool("GOVBR_SIGN_DEMO_STANDIN", default=False)
GOVBR_SIGN_DEMO_DIR = ""
