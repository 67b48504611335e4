#!/usr/bin/env python3
"""A fake `psql` for running deploy.sh without a server: records its
arguments, the connection settings in its environment (PGPASSWORD's
value is compared with the expected token, never stored) and the script it
reads from standard input, one JSON line per call in $FAKE_PSQL_LOG. Fails
when $FAKE_PSQL_FAIL is set, as psql does when a statement fails under
ON_ERROR_STOP (exit code 3)."""
import json
import os
import sys

script = sys.stdin.read() if "--file=-" in sys.argv[1:] else ""
record = {
    "argv": sys.argv[1:],
    "password_is_token": os.environ.get("PGPASSWORD") == os.environ.get("FAKE_PSQL_TOKEN"),
    "sslmode": os.environ.get("PGSSLMODE"),
    "script": script,
}
with open(os.environ["FAKE_PSQL_LOG"], "a") as f:
    f.write(json.dumps(record) + "\n")
# Also in the az log, so that the order of all calls is in one place.
with open(os.environ["FAKE_AZ_LOG"], "a") as f:
    f.write(json.dumps({"argv": ["psql"] + sys.argv[1:], "rc": 3 if os.environ.get("FAKE_PSQL_FAIL") else 0}) + "\n")
if os.environ.get("FAKE_PSQL_FAIL"):
    sys.stderr.write("psql:<stdin>:1: ERROR:  %s\n" % os.environ["FAKE_PSQL_FAIL"])
    sys.exit(3)
