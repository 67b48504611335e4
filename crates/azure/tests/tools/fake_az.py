#!/usr/bin/env python3
"""A fake `az` for running a rendered deploy.sh end to end without Azure.

`fake_az.py serve STATE LOG PORT_FILE` listens on 127.0.0.1 (the port goes
to PORT_FILE); the `az` on the script's PATH is fake_az.sh, a few lines of
bash that send each call here over bash's /dev/tcp and print the answer
(one Python start per test instead of one per call keeps the tests fast).

It records every call (argv and exit code) in LOG, one JSON line each, and
keeps the resources the script creates in STATE (JSON), so that a `show`
answers exit code 3 ("not found", as az does) until the matching create
ran. It answers the look-ups the script makes (ids, host
names, Key Vault secrets, object and principal ids, an access token) and
enforces what Azure would: a create of something that exists, or of a
server whose subnet, private DNS zone or VNet link is missing, or anything
on a server that does not exist, fails with az's exit code 1 and is noted
as a violation. A call whose arguments contain the state's "fail" text
fails with a message, as a refused request would.

Arguments written `@path` are read from that file, as az does, so that a
secret handed over as `@<(printf ...)` is seen (and compared with the
expected one) without being in argv; only the number of such arguments is
recorded, never their contents.
Whether each call is one the real Azure CLI 2.91 accepts is checked
afterwards, in one batch, by az_check.py.
"""
import json
import os
import sys

SUB = "00000000-0000-0000-0000-000000000000"
DELEGATION = "Microsoft.DBforPostgreSQL/flexibleServers"


def load():
    with open(os.environ["FAKE_AZ_STATE"]) as f:
        return json.load(f)


def save(state):
    with open(os.environ["FAKE_AZ_STATE"], "w") as f:
        json.dump(state, f, indent=1, sort_keys=True)


def parse(argv):
    words, opts, key = [], {}, None
    for a in argv:
        if a.startswith("--"):
            if "=" in a:
                k, v = a.split("=", 1)
                opts.setdefault(k, []).append(v)
                key = None
            else:
                key = a
                opts.setdefault(key, [])
        elif key is None and not opts:
            words.append(a)
        elif key is not None:
            opts[key].append(a)
    return " ".join(words), opts


class Exit(Exception):
    def __init__(self, code, message=""):
        self.code, self.message = code, message


def handle(state_path, log_path, written, argv):
    """One call: (exit code, stdout, stderr). `written` is argv as bash
    passed it; `argv` has the `@path` arguments replaced by the contents
    the fake az read from those files."""
    with open(state_path) as f:
        state = json.load(f)
    # The contents of files (a secret) are compared by `run`, never
    # recorded; only how many were read.
    record = {"argv": written, "files_read": sum(1 for w, a in zip(written, argv) if w != a)}
    out, err = "", ""
    try:
        out = run(state, argv)
        code = 0
    except Exit as e:
        code = e.code
        err = e.message.rstrip("\n") + "\n" if e.message else ""
    record["rc"] = code
    with open(state_path, "w") as f:
        json.dump(state, f, indent=1, sort_keys=True)
    with open(log_path, "a") as f:
        f.write(json.dumps(record) + "\n")
    if out and not out.endswith("\n"):
        out += "\n"
    return code, out, err


def serve(state_path, log_path, port_file):
    """Answers calls of fake_az.sh: fields separated by NUL, each `A<arg>`,
    or `F<arg>` followed by `C<contents of the file it names>`, then `E`.
    The answer is `<exit code>\\0<stdout>\\0<stderr>\\0`."""
    import socket
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.getsockname()[1]))
    os.rename(port_file + ".tmp", port_file)
    while True:
        conn, _ = server.accept()
        with conn:
            data = b""
            while not (data.endswith(b"E\0") and (data == b"E\0" or data.endswith(b"\0E\0"))):
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
            fields = [f.decode("utf-8", "surrogateescape") for f in data.split(b"\0")]
            written, argv = [], []
            for field in fields:
                kind, value = field[:1], field[1:]
                if kind == "A":
                    written.append(value)
                    argv.append(value)
                elif kind == "F":
                    written.append(value)
                    argv.append(value)
                elif kind == "C":
                    argv[-1] = value
                elif kind == "E":
                    break
            code, out, err = handle(state_path, log_path, written, argv)
            conn.sendall(("%d\0%s\0%s\0" % (code, out, err)).encode("utf-8", "surrogateescape"))


def run(state, argv):
    if state.get("fail") and state["fail"] in " ".join(argv):
        raise Exit(1, "ERROR: (InternalServerError) %s" % state.get("fail_message", "injected failure"))
    cmd, o = parse(argv)
    one = lambda k, d=None: (o.get(k) or [d])[0]
    sub = one("--subscription", state.get("subscription", SUB))
    rg = one("--resource-group")
    res = state.setdefault("resources", {})
    violations = state.setdefault("violations", [])
    query = one("--query")

    def not_found(what):
        raise Exit(3, "ERROR: (ResourceNotFound) The Resource '%s' under resource group '%s' was not found.\nCode: ResourceNotFound" % (what, rg))

    def violation(message):
        violations.append(message + ": az " + " ".join(argv))
        raise Exit(1, "ERROR: " + message)

    def create(key, value):
        if key in res:
            violation("%s exists and is created again" % key)
        res[key] = value

    def answer(key, value_for_query):
        if key not in res:
            not_found(key.split("|")[-1])
        if query:
            return value_for_query(res[key])
        return ""

    def ids(provider, *names):
        path = "/subscriptions/%s/resourceGroups/%s/providers/%s" % (sub, rg, provider)
        return path + "".join("/%s" % n for n in names)

    def need_server(name):
        if "server|%s|%s" % (rg, name) not in res:
            violation("server %s does not exist" % name)
        return res["server|%s|%s" % (rg, name)]

    def network_ready(subnet_id, zone_id):
        subnet = [k for k, v in res.items() if k.startswith("subnet|") and v["id"].lower() == subnet_id.lower()]
        if not subnet or res[subnet[0]].get("delegation") != DELEGATION:
            violation("subnet %s is missing or not delegated" % subnet_id)
        zone = [k for k, v in res.items() if k.startswith("zone|") and v["id"].lower() == zone_id.lower()]
        if not zone:
            violation("private DNS zone %s is missing" % zone_id)
        vnet_id = subnet_id.rsplit("/subnets/", 1)[0].lower()
        linked = [k for k, v in res.items() if k.startswith("link|") and v["zone"] == zone[0] and v["vnet"].lower() == vnet_id]
        if not linked:
            violation("private DNS zone %s is not linked to %s" % (zone_id, vnet_id))

    # Network
    if cmd in ("network vnet subnet show", "network vnet subnet create", "network vnet subnet update"):
        vnet, name = one("--vnet-name"), one("--name")
        key = "subnet|%s|%s|%s|%s" % (sub, rg, vnet, name)
        if cmd.endswith("show"):
            return answer(key, lambda r: r["id"] if query == "id" else (r.get("delegation") or ""))
        if "%s|%s|%s" % (sub, rg, vnet) not in state.get("vnets", []):
            raise Exit(3, "ERROR: (ResourceNotFound) The Resource 'Microsoft.Network/virtualNetworks/%s' was not found." % vnet)
        if cmd.endswith("create"):
            create(key, {"id": ids("Microsoft.Network/virtualNetworks", vnet, "subnets", name),
                         "prefix": one("--address-prefixes"), "delegation": one("--delegations")})
        else:
            if key not in res:
                not_found(name)
            res[key]["delegation"] = one("--delegations")
        return ""
    if cmd == "network vnet show":
        vnet = one("--name")
        if "%s|%s|%s" % (sub, rg, vnet) not in state.get("vnets", []):
            not_found(vnet)
        return ids("Microsoft.Network/virtualNetworks", vnet)
    if cmd in ("network private-dns zone show", "network private-dns zone create"):
        key = "zone|%s|%s|%s" % (sub, rg, one("--name"))
        if cmd.endswith("show"):
            return answer(key, lambda r: r["id"])
        create(key, {"id": ids("Microsoft.Network/privateDnsZones", one("--name"))})
        return ""
    if cmd in ("network private-dns link vnet show", "network private-dns link vnet create"):
        zone = "zone|%s|%s|%s" % (sub, rg, one("--zone-name"))
        key = "link|%s|%s|%s|%s" % (sub, rg, one("--zone-name"), one("--name"))
        if cmd.endswith("show"):
            return answer(key, lambda r: r["id"])
        if zone not in res:
            violation("private DNS zone %s does not exist" % one("--zone-name"))
        create(key, {"id": res[zone]["id"] + "/virtualNetworkLinks/" + one("--name"), "zone": zone,
                     "vnet": one("--virtual-network"), "registration": one("--registration-enabled")})
        return ""

    # Servers
    if cmd == "postgres flexible-server show":
        key = "server|%s|%s" % (rg, one("--name"))
        def q(r):
            if query == "id":
                return r["id"]
            if query == "fullyQualifiedDomainName":
                return state.get("fqdn") or r["fqdn"]
            return json.dumps(r)
        return answer(key, q)
    if cmd in ("postgres flexible-server create", "postgres flexible-server replica create"):
        name = one("--name")
        if cmd.endswith("replica create"):
            need_server(one("--source-server"))
        elif "--password-auth" in o and one("--password-auth") == "Enabled":
            password = one("--admin-password") or ""
            if password != state.get("admin_password"):
                violation("server %s got another administrator password than the secret" % name)
        if "--subnet" in o:
            network_ready(one("--subnet"), one("--private-dns-zone"))
        create("server|%s|%s" % (rg, name), {
            "id": ids("Microsoft.DBforPostgreSQL/flexibleServers", name),
            "fqdn": name + ".postgres.database.azure.com", "params": {}, "pending": [],
            "replica_of": one("--source-server")})
        return ""
    if cmd == "postgres flexible-server parameter set":
        server = need_server(one("--server-name"))
        name, value = one("--name"), one("--value")
        if server["params"].get(name) != value:
            server["params"][name] = value
            if name in state.get("static", []) and name not in server["pending"]:
                server["pending"].append(name)
        return ""
    if cmd == "postgres flexible-server parameter list":
        server = need_server(one("--server-name"))
        return "\n".join(server["pending"])
    if cmd == "postgres flexible-server restart":
        server = need_server(one("--name"))
        server["pending"] = []
        state["restarts"] = state.get("restarts", 0) + 1
        return ""
    if cmd in ("postgres flexible-server db show", "postgres flexible-server db create"):
        need_server(one("--server-name"))
        key = "db|%s|%s|%s" % (rg, one("--server-name"), one("--name"))
        if cmd.endswith("show"):
            return answer(key, lambda r: json.dumps(r))
        create(key, {"charset": one("--charset"), "collation": one("--collation")})
        return ""
    if cmd in ("postgres flexible-server microsoft-entra-admin show", "postgres flexible-server microsoft-entra-admin create"):
        need_server(one("--server-name"))
        key = "admin|%s|%s|%s" % (rg, one("--server-name"), one("--object-id"))
        if cmd.endswith("show"):
            return answer(key, lambda r: json.dumps(r))
        create(key, {"name": one("--display-name"), "type": one("--type")})
        return ""
    if cmd.startswith("postgres flexible-server firewall-rule "):
        need_server(one("--server-name"))
        key = "fw|%s|%s|%s" % (rg, one("--server-name"), one("--name"))
        verb = cmd.rsplit(" ", 1)[1]
        if verb == "show":
            return answer(key, lambda r: json.dumps(r))
        value = {"start": one("--start-ip-address"), "end": one("--end-ip-address")}
        if verb == "create":
            create(key, value)
        elif key not in res:
            not_found(one("--name"))
        else:
            res[key] = value
        return ""

    # Alerts
    if cmd == "monitor action-group show":
        name = one("--name")
        if name not in state.get("action_groups", []):
            not_found(name)
        return ids("Microsoft.Insights/actionGroups", name)
    if cmd == "monitor metrics alert create":
        scopes = o.get("--scopes", [])
        for scope in scopes:
            if not any(v.get("id", "").lower() == scope.lower() for k, v in res.items() if k.startswith("server|")):
                violation("the alert's scope %s does not exist" % scope)
        res["alert|%s|%s" % (rg, one("--name"))] = {
            "scopes": scopes, "condition": o.get("--condition"), "window": one("--window-size"),
            "frequency": one("--evaluation-frequency"), "severity": one("--severity"),
            "description": one("--description"), "actions": o.get("--action", []), "tags": o.get("--tags", [])}
        return ""

    # Look-ups
    if cmd == "keyvault secret show":
        key = "%s/%s" % (one("--vault-name"), one("--name"))
        if key not in state.get("secrets", {}):
            raise Exit(3, "ERROR: (SecretNotFound) A secret with (name/id) %s was not found in this key vault." % one("--name"))
        return state["secrets"][key]
    if cmd in ("ad group show", "ad user show", "ad sp list"):
        return state.get("entra_object_id", "0a0a0a0a-1111-2222-3333-444444444444")
    if cmd == "identity show":
        name = (one("--ids") or "").rsplit("/", 1)[-1] or one("--name")
        if name not in state.get("identities", {}):
            not_found(name)
        return state["identities"][name]
    if cmd == "account get-access-token":
        return state.get("token", "fake-entra-token")
    raise Exit(2, "ERROR: the fake az does not know `az %s`" % cmd)


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve(*sys.argv[2:5])
    sys.exit("usage: fake_az.py serve STATE LOG PORT_FILE")
