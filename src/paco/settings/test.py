"""Test settings: the same stack, with fast password hashing and jobs drained by the tests."""

import os

from .base import *  # noqa: F403
from .env import CHECKOUT_ID, DATA_DIR, env

# pytest-xdist runs the suite in several processes, each with its own test database (pytest-django
# adds the worker's name to it); the cache keys, the queues and the files on disk follow suit. A
# worker process a test starts inherits the variable, so it lands on the same ones.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
TEST_RUN_ID = f"{CHECKOUT_ID}-{_XDIST_WORKER}" if _XDIST_WORKER else CHECKOUT_ID
if _XDIST_WORKER:
    if not env.str("MEDIA_ROOT", default=""):
        MEDIA_ROOT = DATA_DIR / "test-media" / TEST_RUN_ID
    if not env.str("SMS_FILE_PATH", default=""):
        SMS_FILE_PATH = str(DATA_DIR / "test-sms" / TEST_RUN_ID)

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if not env.str("EMAIL_URL", default=""):  # a worker started by a test may be given a real SMTP server
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
JOBS_IN_PROCESS_WORKER = False
SCHEDULER_ENABLED = False
# the permit tests make and count their own requests (tests/permits/test_demo_requests.py seeds the demo's)
PERMITS_DEMO_REQUESTS = False
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
WHITENOISE_MAX_AGE = 600  # the browser tests' pages share their CSS, scripts and fonts, as in production
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405

if REDIS_URL:  # noqa: F405
    # Tests flush their cache between tests: give them a Redis database of their own, so a test
    # run never wipes a developer's cache or the broker's queues (db 0).
    from urllib.parse import urlsplit, urlunsplit

    _redis = urlsplit(REDIS_URL)  # noqa: F405
    _test_db = env.int("TEST_CACHE_REDIS_DB", default=15)  # noqa: F405
    CACHES["default"]["LOCATION"] = urlunsplit(_redis._replace(path=f"/{_test_db}"))  # noqa: F405
    # ...and keys of this checkout's own, cleared by prefix (tests/conftest.py), never FLUSHDB.
    CACHES["default"]["KEY_PREFIX"] = f"test-{TEST_RUN_ID}"  # noqa: F405

# Jobs a test commits on purpose (browser and concurrency tests) go to a namespace of their own.
if REDIS_URL:  # noqa: F405
    DRAMATIQ_BROKER["OPTIONS"] = {  # noqa: F405
        "url": REDIS_URL,  # noqa: F405
        "namespace": env.str("DRAMATIQ_NAMESPACE", default=f"paco-test-{TEST_RUN_ID}"),
    }

# Other modules' tests make many calls as one person: generous limits; the rate-limit tests set
# the production rates themselves (tests/security).
API_THROTTLE_RATES = dict.fromkeys(API_THROTTLE_RATES, "100000/min")  # noqa: F405
FORM_RATE_LIMITS = dict.fromkeys(FORM_RATE_LIMITS, "100000/min")  # noqa: F405
LOGIN_ADDRESS_FAILURE_RATE = "100000/min"

# Custom-domain DNS checks never leave the machine: a port where nothing answers, a short wait
# (tests/tenants/test_custom_domains.py points the adapter at its own local DNS server).
CUSTOM_DOMAIN_DNS_SERVERS = ["127.0.0.1"]
CUSTOM_DOMAIN_DNS_PORT = 9
CUSTOM_DOMAIN_DNS_TIMEOUT_SECONDS = 0.2
CUSTOM_DOMAIN_PROBE_SCHEME = "http"
CUSTOM_DOMAIN_PROBE_CONNECT_TO = "127.0.0.1:9"  # refused at once
