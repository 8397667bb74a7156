"""Files: per-tenant folders on disk by default, per-tenant prefixes in S3 when configured."""

from whitenoise.compress import Compressor

from .env import DATA_DIR, ROOT_DIR, env

MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(DATA_DIR / "media"))
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(ROOT_DIR / "staticfiles"))
STATICFILES_DIRS = [
    ("govbr-ds", str(ROOT_DIR / "node_modules" / "@govbr-ds" / "core" / "dist")),
    # Font Awesome cut to the icons we use (src/paco/icons.py, run by `make setup`): its stylesheet
    # and fonts only (the package's 2,600 icons, SVGs and sprites are not served)
    ("fontawesome", str(ROOT_DIR / "build" / "fontawesome")),
    ("htmx", str(ROOT_DIR / "node_modules" / "htmx.org" / "dist")),
    # Raleway, from which the gov.br font Rawline is derived (Rawline itself is not on npm)
    ("fonts/raleway", str(ROOT_DIR / "node_modules" / "@fontsource" / "raleway" / "files")),
    ("chartjs", str(ROOT_DIR / "node_modules" / "chart.js" / "dist")),
    # the rich-text editor of document templates (Quill 2; its UMD build and the Snow theme)
    ("quill", str(ROOT_DIR / "node_modules" / "quill" / "dist")),
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
# Source maps are for developers' tools only: not worth compressing (they are half of the static
# files' bytes, and brotli's best quality on them made collectstatic take minutes).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
# DOCX/ODT are zips: opened with these limits before they are kept (a zip bomb is refused; issue 10)
ATTACHMENT_OFFICE_MAX_UNPACKED_BYTES = env.int(
    "ATTACHMENT_OFFICE_MAX_UNPACKED_BYTES", default=100 * 1024 * 1024
)
ATTACHMENT_OFFICE_MAX_ENTRIES = env.int("ATTACHMENT_OFFICE_MAX_ENTRIES", default=2000)
