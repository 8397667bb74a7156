"""Files: per-tenant folders on disk by default, per-tenant prefixes in S3 when configured."""

from .env import DATA_DIR, ROOT_DIR, env

MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(DATA_DIR / "media"))
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(ROOT_DIR / "staticfiles"))
STATICFILES_DIRS = [
    ("govbr-ds", str(ROOT_DIR / "node_modules" / "@govbr-ds" / "core" / "dist")),
    ("fontawesome", str(ROOT_DIR / "node_modules" / "@fortawesome" / "fontawesome-free")),
    ("htmx", str(ROOT_DIR / "node_modules" / "htmx.org" / "dist")),
    ("chartjs", str(ROOT_DIR / "node_modules" / "chart.js" / "dist")),
]

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None
AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="sa-east-1")
AWS_S3_SIGNATURE_VERSION = "s3v4"
AWS_DEFAULT_ACL = None
AWS_S3_FILE_OVERWRITE = False
AWS_QUERYSTRING_AUTH = True
AWS_QUERYSTRING_EXPIRE = 300

_default_backend = (
    "paco.storage.TenantS3Storage" if AWS_STORAGE_BUCKET_NAME else "paco.storage.TenantFileSystemStorage"
)

STORAGES = {
    "default": {"BACKEND": _default_backend},
    "staticfiles": {
        "BACKEND": env.str("STATICFILES_BACKEND", default="whitenoise.storage.CompressedStaticFilesStorage")
    },
}
# Largest attachment accepted, in bytes (nginx in infra/ allows 25 MiB bodies).
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
