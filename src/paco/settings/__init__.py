"""Settings package: `base` holds everything; `test` and `production` adjust it.

Each concern (database, tenancy, jobs, storage, observability, security) has its own module,
imported by `base`, so a reader finds one topic in one place.
"""
