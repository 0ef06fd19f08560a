"""The assessment location contract: GeoPackage paths, PostgreSQL URIs (libpq rules) and
``service=NAME schema=NAME``; never a password."""

from __future__ import annotations

import pytest

from sitewatch.core.assessment.location import is_database_location, parse_database_location
from sitewatch.core.errors import SiteWatchError


def test_uri_with_host_port_and_schema():
    location = parse_database_location("postgresql://ann@db.example.org:5433/damage?schema=aleppo_2024")
    assert location.schema == "aleppo_2024"
    assert dict(location.parameters) == {"host": "db.example.org", "port": "5433", "dbname": "damage", "user": "ann"}
    assert location.conninfo() == "host=db.example.org port=5433 dbname=damage user=ann"
    assert parse_database_location(location.text()) == location


def test_uri_with_a_socket_directory_as_host_parameter_and_percent_encoded():
    by_parameter = parse_database_location("postgresql://ann@/damage?host=/run/postgresql&schema=s1")
    encoded = parse_database_location("postgres://ann@%2Frun%2Fpostgresql/damage?schema=s1")
    assert by_parameter.get("host") == encoded.get("host") == "/run/postgresql"
    assert by_parameter == encoded
    assert parse_database_location(by_parameter.text()) == by_parameter
    assert "host=/run/postgresql" in by_parameter.text()


def test_service_form_keeps_libpq_keywords_and_authcfg():
    location = parse_database_location("service=damage schema=homs sslmode=require authcfg=ab12cd3")
    assert location.get("service") == "damage"
    assert location.get("sslmode") == "require"
    assert location.authcfg == "ab12cd3"
    assert "authcfg" not in location.conninfo() and "schema" not in location.conninfo()
    assert location.text() == "service=damage sslmode=require schema=homs authcfg=ab12cd3"
    assert parse_database_location(location.text()) == location


@pytest.mark.parametrize(
    "text",
    ["/data/site.gpkg", "site.gpkg", r"C:\work\site.gpkg", "/data/with = sign/site.gpkg"],
)
def test_paths_are_not_database_locations(text):
    assert not is_database_location(text)


@pytest.mark.parametrize("text", ["postgresql://a@h/db?schema=s", "POSTGRES://h/db?schema=s", "service=x schema=s"])
def test_database_forms_are_recognised(text):
    assert is_database_location(text)


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://ann:s3cret@host/db?schema=s1",
        "postgresql://ann@host/db?schema=s1&password=s3cret",
        "service=damage password=s3cret schema=s1",
    ],
)
def test_a_password_is_refused_and_never_repeated(text):
    with pytest.raises(SiteWatchError, match="pgpass") as caught:
        parse_database_location(text)
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgresql://ann@host/db", "names no schema"),
        ("service=damage", "names no schema"),
        ("postgresql://ann@host/db?schema=Bad-Name", "cannot name an assessment schema"),
        ("postgresql://ann@host/db?schema=s1&colour=red", "not a valid PostgreSQL URI"),
        ("service=damage schema=s1 'oops", "Cannot read the connection parameters"),
    ],
)
def test_bad_locations_say_what_is_wrong(text, expected):
    with pytest.raises(SiteWatchError, match=expected):
        parse_database_location(text)
