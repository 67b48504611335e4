#!/usr/bin/env python3
"""A stand-in for kubectl that serves and records Secrets and Namespaces.

There is no cluster here. This answers the few kubectl commands pgplan's
rendered bootstrap script runs, the way kubectl answers them, against a
store of JSON files, and records every command line (so a test can check no
password was passed as an argument). Anything else fails loudly: an
unexpected command or flag is a test failure, not a silent success.

Store: $KUBECTL_STANDIN_DIR/namespaces/<ns>/secrets/<name>.json holds the
Secret as the API server would return it ({"data": {key: base64}}).
Calls: $KUBECTL_STANDIN_DIR/calls.log, one JSON array of argv per line.

Supported:
  get namespace NAME --ignore-not-found --output=name
  create namespace NAME
  get secret NAME --namespace=NS [--ignore-not-found] --output=name|jsonpath={.data.KEY}
  create secret generic NAME --namespace=NS --from-literal=K=V... --from-file=K=PATH...
  patch secret NAME --namespace=NS --type=merge --patch-file=PATH
"""

import base64
import json
import os
import re
import sys

STORE = os.environ["KUBECTL_STANDIN_DIR"]


def fail(message, code=1):
    sys.stderr.write(message + "\n")
    sys.exit(code)


def parse(args):
    """Positional arguments and --flag=value options (kubectl's spelling)."""
    positional, options = [], {}
    for a in args:
        if a.startswith("--"):
            name, _, value = a[2:].partition("=")
            options.setdefault(name, []).append(value)
        elif a.startswith("-"):
            fail("kubectl stand-in: short flag %r not supported; use --name=value" % a, 2)
        else:
            positional.append(a)
    return positional, options


def take(options, name, required=True):
    values = options.pop(name, None)
    if values is None:
        if required:
            fail("kubectl stand-in: --%s is required here" % name, 2)
        return None
    if len(values) != 1:
        fail("kubectl stand-in: --%s given %d times" % (name, len(values)), 2)
    return values[0]


def no_more(options):
    if options:
        fail("kubectl stand-in: unsupported flags %s" % sorted(options), 2)


def ns_dir(ns):
    return os.path.join(STORE, "namespaces", ns)


def secret_path(ns, name):
    return os.path.join(ns_dir(ns), "secrets", name + ".json")


def read_secret(ns, name):
    try:
        with open(secret_path(ns, name)) as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def write_secret(ns, name, secret):
    if not os.path.isdir(ns_dir(ns)):
        fail('Error from server (NotFound): namespaces "%s" not found' % ns)
    os.makedirs(os.path.dirname(secret_path(ns, name)), exist_ok=True)
    tmp = secret_path(ns, name) + ".tmp"
    with open(tmp, "w") as f:
        json.dump(secret, f, sort_keys=True)
    os.replace(tmp, secret_path(ns, name))


def valid_key(key):
    return re.fullmatch(r"[-._a-zA-Z0-9]+", key) is not None


def jsonpath_key(expr):
    m = re.fullmatch(r"jsonpath=\{\.data\.((?:[-_a-zA-Z0-9]|\\\.)+)\}", expr)
    if not m:
        fail("kubectl stand-in: unsupported --output %r" % expr, 2)
    return m.group(1).replace("\\.", ".")


def main(argv):
    os.makedirs(STORE, exist_ok=True)
    with open(os.path.join(STORE, "calls.log"), "a") as log:
        log.write(json.dumps(argv) + "\n")
    positional, options = parse(argv)
    if positional[:2] == ["get", "namespace"] and len(positional) == 3:
        name = positional[2]
        take(options, "ignore-not-found")
        output = take(options, "output")
        no_more(options)
        if output != "name":
            fail("kubectl stand-in: unsupported --output %r" % output, 2)
        if os.path.isdir(ns_dir(name)):
            print("namespace/" + name)
        return
    if positional[:2] == ["create", "namespace"] and len(positional) == 3:
        no_more(options)
        name = positional[2]
        if os.path.isdir(ns_dir(name)):
            fail('Error from server (AlreadyExists): namespaces "%s" already exists' % name)
        os.makedirs(os.path.join(ns_dir(name), "secrets"))
        print("namespace/%s created" % name)
        return
    if positional[:2] == ["get", "secret"] and len(positional) == 3:
        name = positional[2]
        ns = take(options, "namespace")
        ignore = take(options, "ignore-not-found", required=False) is not None
        output = take(options, "output")
        no_more(options)
        secret = read_secret(ns, name)
        if secret is None:
            if ignore:
                return
            fail('Error from server (NotFound): secrets "%s" not found' % name)
        if output == "name":
            print("secret/" + name)
            return
        key = jsonpath_key(output)
        sys.stdout.write(secret.get("data", {}).get(key, ""))
        return
    if positional[:3] == ["create", "secret", "generic"] and len(positional) == 4:
        name = positional[3]
        ns = take(options, "namespace")
        data = {}
        for literal in options.pop("from-literal", []):
            key, sep, value = literal.partition("=")
            if not sep or not valid_key(key):
                fail("kubectl stand-in: bad --from-literal %r" % literal, 2)
            data[key] = base64.b64encode(value.encode()).decode()
        for spec in options.pop("from-file", []):
            key, sep, path = spec.partition("=")
            if not sep or not valid_key(key):
                fail("kubectl stand-in: --from-file needs KEY=PATH, got %r" % spec, 2)
            with open(path, "rb") as f:
                data[key] = base64.b64encode(f.read()).decode()
        no_more(options)
        if read_secret(ns, name) is not None:
            fail('error: failed to create secret secrets "%s" already exists' % name)
        write_secret(ns, name, {"data": data, "type": "Opaque"})
        print("secret/%s created" % name)
        return
    if positional[:2] == ["patch", "secret"] and len(positional) == 3:
        name = positional[2]
        ns = take(options, "namespace")
        kind = take(options, "type")
        path = take(options, "patch-file")
        no_more(options)
        if kind != "merge":
            fail("kubectl stand-in: only --type=merge is supported", 2)
        secret = read_secret(ns, name)
        if secret is None:
            fail('Error from server (NotFound): secrets "%s" not found' % name)
        with open(path) as f:
            patch = json.load(f)
        if set(patch) != {"data"}:
            fail("kubectl stand-in: only data may be patched, got %s" % sorted(patch), 2)
        for key, value in patch["data"].items():
            if not valid_key(key):
                fail('The Secret "%s" is invalid: data[%s]: Invalid value' % (name, key))
            base64.b64decode(value, validate=True)
            secret.setdefault("data", {})[key] = value
        write_secret(ns, name, secret)
        print("secret/%s patched" % name)
        return
    fail("kubectl stand-in: unsupported command %r" % argv, 2)


if __name__ == "__main__":
    main(sys.argv[1:])
