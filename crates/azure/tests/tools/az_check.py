"""Checks az commands with the real Azure CLI, in one process: each command
in the JSON list on standard input runs in-process with a stand-in login
(no credentials, no network: every HTTP request is captured and refused),
and the result lists, for each, the exit code, the output and the first
request it would have sent to Azure Resource Manager, Microsoft Graph or
Key Vault (method, URL, If-* headers, JSON body).

A command the CLI accepts reaches a request (or succeeds without one, as
`az account get-access-token` does with the stand-in login); a command it
rejects stops before: argparse errors exit with 2, validators with 1.
Run it with the Python of the azure-cli virtualenv."""
import io, json, os, sys, tempfile, time, contextlib
os.environ.setdefault("AZURE_CONFIG_DIR", tempfile.mkdtemp())
os.environ["AZURE_CORE_COLLECT_TELEMETRY"] = "false"
os.environ["AZURE_CORE_NO_COLOR"] = "true"
os.environ["AZURE_CORE_ONLY_SHOW_ERRORS"] = "false"
from azure.cli.core import _profile
from azure.core.credentials import AccessToken, AccessTokenInfo
SUB = os.environ.get("FAKE_SUBSCRIPTION", "00000000-0000-0000-0000-000000000000")
TENANT = "11111111-1111-1111-1111-111111111111"
_profile.Profile.load_cached_subscriptions = lambda self, all_clouds=False: [{
    "id": SUB, "name": "fake", "state": "Enabled", "isDefault": True,
    "tenantId": TENANT, "environmentName": "AzureCloud",
    "user": {"name": "someone@example.com", "type": "user"}}]
class FakeCred:
    def acquire_token(self, scopes, **kw):
        return {"access_token": "fake", "expires_in": 3600, "token_type": "Bearer"}
    def get_token(self, *scopes, **kw):
        return AccessToken("fake", int(time.time()) + 3600)
    def get_token_info(self, *scopes, options=None):
        return AccessTokenInfo("fake", int(time.time()) + 3600)
_profile.Profile._create_credential = lambda self, account, tenant_id=None, client_id=None: FakeCred()
import requests.adapters
class Captured(Exception):
    pass
current = {}
ARM_HOSTS = ("management.azure.com", "graph.microsoft.com", ".vault.azure.net")
def send(self, request, **kw):
    host = requests.utils.urlparse(request.url).hostname or ""
    if not any(host == h or host.endswith(h) for h in ARM_HOSTS):
        raise requests.exceptions.ConnectionError("pgplan-capture: no network")
    if "request" not in current:
        body = request.body
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        try:
            body = json.loads(body) if body else None
        except Exception:
            pass
        current["request"] = {"method": request.method, "url": request.url,
            "if": {k: v for k, v in request.headers.items() if k.lower().startswith("if-")},
            "body": body}
    raise Captured("pgplan-capture: request captured")
requests.adapters.HTTPAdapter.send = send
from azure.cli.core import get_default_cli
results = []
for argv in json.load(sys.stdin):
    current.clear()
    import logging
    for name in (None, "cli", "azure"):
        logging.getLogger(name).handlers.clear()
    out, err = io.StringIO(), io.StringIO()
    code = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = get_default_cli().invoke(argv, out_file=out)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        except BaseException as e:
            err.write(repr(e)); code = 1
    results.append({"argv": argv, "code": code, "output": out.getvalue() + err.getvalue(),
                    "request": current.get("request")})
json.dump(results, sys.stdout)
