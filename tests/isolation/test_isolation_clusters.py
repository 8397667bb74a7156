"""The isolation harness with the two demo cities on two PostgreSQL clusters (issue 19, point 3).

Gravataí (the city whose private data the intruder looks for) or Aracaju (the city whose
authorization matrix is checked) is first moved to a second cluster: a second database on the one
test server (the machine's PostgreSQL or the embedded one, see tests/tenants/second_cluster.py),
then the same checks as tests/isolation/test_isolation.py run across the two.
"""

from django.db import transaction

from tenants.clusters import municipality_move, schema_exists_on
from tests.conftest import ROLES, cache_clear
from tests.isolation import test_isolation as harness
from tests.tenants.second_cluster import extra_clusters

CROSS_CLUSTER_ROLES = ("anonymous", "citizen", "admin", "support")
assert set(CROSS_CLUSTER_ROLES) <= set(ROLES)


def test_a_city_on_another_cluster_leaks_nothing_to_any_kind_of_session_of_the_first(aracaju, gravatai):
    # one move for the roles (a move is a dump and a restore, ~10 s): each role's checks run in a
    # savepoint of their own, rolled back, and the cache cleared, as if each were a test of its own;
    # Gravataí, on c2, is only read and its fingerprint compared by the harness. One role of each
    # kind of session — none, a citizen's, a city staff's (the admin, who reaches the most), the
    # vendor's support — to keep `make test` in its budget; every role runs on one cluster in
    # test_isolation.py, and what a second cluster changes is the connection, not the role.
    with extra_clusters("c2"):
        municipality_move(municipality=gravatai, target="c2", settle_seconds=0)
        assert schema_exists_on("c2", "gravatai")
        assert not schema_exists_on("default", "gravatai")
        assert harness.schema_fingerprint("gravatai")  # read on c2

        failures = []
        for role in CROSS_CLUSTER_ROLES:
            cache_clear()  # the rate limits' counters, as between tests
            try:
                with transaction.atomic():
                    harness.test_a_role_of_one_city_sees_nothing_private_of_another_and_changes_nothing(
                        role, aracaju, gravatai
                    )
                    harness.test_a_city_session_is_anonymous_on_the_control_plane(role, aracaju, gravatai)
                    transaction.set_rollback(True)
            except AssertionError as error:
                failures.append(f"{role}: {error}")
        assert not failures, "\n".join(failures)


# The cross-city checks above run for every role; the whole route matrix (the same as in
# test_isolation.py, which runs it for every role on one cluster; each run requests every route) runs
# here for the two ends of what a city's people may do, the citizen and the admin, after one move of
# Aracaju, each role in a savepoint of its own (as above), to keep `make test` in its budget.
def test_the_authorization_matrix_holds_on_a_city_on_another_cluster(aracaju):
    with extra_clusters("c2"):
        municipality_move(municipality=aracaju, target="c2", settle_seconds=0)
        assert schema_exists_on("c2", "aracaju")

        failures = []
        for role in ("citizen", "admin"):
            cache_clear()
            try:
                with transaction.atomic():
                    harness.test_authorization_matrix_on_the_city_host(role, aracaju)
                    harness.test_authorization_matrix_on_the_control_plane(role, aracaju)
                    transaction.set_rollback(True)
            except AssertionError as error:
                failures.append(f"{role}: {error}")
        assert not failures, "\n".join(failures)
