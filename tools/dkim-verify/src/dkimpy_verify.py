"""Verifies every DKIM-Signature of a message with dkimpy (Debian python3-dkim), as its
dkimverify command does, but with the public keys from the request instead of DNS.

stdin: JSON {"message": base64, "keys": {"<selector>._domainkey.<domain>": "<TXT record>"}}
stdout: JSON [{"domain", "selector", "algorithm", "pass", "detail"}] in header order.
Run with /usr/bin/python3 (the interpreter Debian's python3-dkim is installed for).
"""
import base64
import json
import sys

import dkim
from dkim.util import parse_tag_value

request = json.load(sys.stdin)
message = base64.b64decode(request["message"])
keys = {name.lower().encode(): record.encode() for name, record in request["keys"].items()}


def dnsfunc(name, timeout=5):
    # dkimpy asks for "<selector>._domainkey.<domain>." (fully qualified); never real DNS.
    return keys.get(name.rstrip(b".").lower())


verifier = dkim.DKIM(message, minkey=1024)
signatures = [value for name, value in verifier.headers if name.lower() == b"dkim-signature"]
results = []
for index, value in enumerate(signatures):
    try:
        tags = parse_tag_value(value)
    except Exception:
        tags = {}
    try:
        passed = bool(verifier.verify(idx=index, dnsfunc=dnsfunc))
        detail = "pass" if passed else "signature did not verify"
    except Exception as error:  # a malformed signature or key is a failure, with its reason
        passed = False
        detail = f"{type(error).__name__}: {error}"
    results.append(
        {
            "domain": tags.get(b"d", b"").decode(),
            "selector": tags.get(b"s", b"").decode(),
            "algorithm": tags.get(b"a", b"").decode(),
            "pass": passed,
            "detail": detail,
        }
    )
json.dump(results, sys.stdout)
