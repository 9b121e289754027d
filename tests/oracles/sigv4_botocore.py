#!/usr/bin/python3
"""SigV4 oracle: signs requests with Debian's botocore, for comparison with glueguard's signer.

Reads JSON lines from stdin, one request each:
  {"method", "host", "path", "query", "headers": [[name, value], ...], "body_b64", "access_key", "secret_key",
   "token", "region", "service", "amz_date"}
Writes one JSON line per request: {"authorization", "canonical_request", "string_to_sign"}.
Run it with /usr/bin/python3 (python3-botocore), not a virtualenv's python.
"""
import base64
import json
import sys

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def sign(spec):
    url = "https://" + spec["host"] + spec["path"]
    if spec["query"]:
        url += "?" + spec["query"]
    request = AWSRequest(method=spec["method"], url=url, data=base64.b64decode(spec["body_b64"]))
    for name, value in spec["headers"]:
        request.headers[name] = value  # email.message semantics: appends, so duplicates are kept in order
    credentials = Credentials(spec["access_key"], spec["secret_key"], spec["token"] or None)
    auth = SigV4Auth(credentials, spec["service"], spec["region"])
    # add_auth() with the clock pinned: the same steps in the same order.
    request.context["timestamp"] = spec["amz_date"]
    auth._modify_request_before_signing(request)
    canonical_request = auth.canonical_request(request)
    string_to_sign = auth.string_to_sign(request, canonical_request)
    signature = auth.signature(string_to_sign, request)
    auth._inject_signature_to_request(request, signature)
    return {
        "authorization": request.headers["Authorization"],
        "canonical_request": canonical_request,
        "string_to_sign": string_to_sign,
    }


def main():
    for line in sys.stdin:
        line = line.strip()
        if line:
            print(json.dumps(sign(json.loads(line))))


if __name__ == "__main__":
    main()
