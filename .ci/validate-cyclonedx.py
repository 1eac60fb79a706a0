#!/usr/bin/env python3
"""Validates CycloneDX 1.6 JSON read from stdin with cyclonedx-python-lib's strict validator
(the published schema with additionalProperties forbidden). Prints one error per line and exits
1 when there is any, 0 when the document is valid."""
import sys

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

errors = JsonStrictValidator(SchemaVersion.V1_6).validate_str(sys.stdin.read(), all_errors=True)
count = 0
for error in errors or []:
    count += 1
    print(str(error).replace("\n", " ")[:2000])
sys.exit(1 if count else 0)
