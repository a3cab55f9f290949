"""Schemathesis hooks for the local Turso: what Turso's API does that openapi.yaml cannot
say, so that schemathesis does not report it as a fault. Each rule keeps every other
finding: a failure is dropped only when what it reports is exactly one of these.

1. Turso's API is written in Go, and the fake reads bodies and queries as it does: a
   `null` leaves a field unset, and an empty query value (`?expiration=`, which Turso's
   CLI sends) is no value. A "schema-violating request accepted" (ST201) is dropped
   when the request, read that way, is valid.
2. The fake serves routes of Turso's API that openapi.yaml leaves out, the ones Turso's
   CLI calls (`turso-platform-fake --routes` lists them as `beyond-spec`, and answers 501
   for those it does not emulate). Schemathesis sends each path the methods the spec does
   not give it, expecting 405; those the fake serves are not sent (they would be carried
   out: a DELETE of an organization deletes it, and the rest of the run finds nothing),
   and a method advertised in `Allow` (ST205) is no finding when it is one of them.

The route table is read from the file FAKE_ROUTES names: the output of
`turso-platform-fake --routes` (scripts/schemathesis.sh writes it).
"""

import json
import os
import re

import schemathesis
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario
from schemathesis.specs.openapi.utils import read_from_wire


def _template(path):
    """A path with its parameters unnamed, so that the spec's and the fake's compare."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def _routes_beyond_spec():
    with open(os.environ["FAKE_ROUTES"], encoding="utf-8") as routes:
        table = [json.loads(line) for line in routes if line.strip()]
    return {
        (route["method"].upper(), _template(route["path"]))
        for route in table
        if route["kind"] in ("beyond-spec", "not-emulated")
    }


BEYOND_SPEC = _routes_beyond_spec()


def _served_beyond_spec(method, case):
    return (method.upper(), _template(case.operation.path)) in BEYOND_SPEC


def _without_nulls(value):
    """A JSON value as Go's encoding/json reads it: a `null` member is no member."""
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def _valid_as_go_reads_it(case):
    meta = case.meta
    if meta is None:
        return False
    validator = case.operation.schema.adapter.jsonschema_validator_cls
    for location in meta.components:
        value = case.get_container(location)
        if location == ParameterLocation.BODY:
            value = _without_nulls(value)
        elif location == ParameterLocation.QUERY and isinstance(value, dict):
            value = {key: item for key, item in value.items() if item not in ("", None)}
        if isinstance(value, dict) and location != ParameterLocation.BODY:
            valid = case._validate_component(location, value, validator) or case._validate_component(
                location, read_from_wire(case.operation, location, value), validator
            )
        else:
            valid = case._validate_component(location, value, validator)
        if not valid:
            return False
    return True


@schemathesis.hook
def filter_case(context, case):
    data = case.meta.phase.data if case.meta is not None else None
    if isinstance(data, CoveragePhaseData) and data.scenario == CoverageScenario.UNSPECIFIED_HTTP_METHOD:
        return not _served_beyond_spec(case.method, case)
    return True


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if failure.code == "ST201":
        return not _valid_as_go_reads_it(case)
    if failure.code == "ST205":
        if failure.missing_methods:
            return True
        return not all(_served_beyond_spec(method, case) for method in failure.undocumented_methods)
    return True
