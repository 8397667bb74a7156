from tests.signatures.conftest import (  # noqa: F401 - shared fixtures
    admin,
    case,
    clerk,
    icp_settings,
    manager,
    media_root,
    other_unit_staff,
    test_pki,
    unit,
)
