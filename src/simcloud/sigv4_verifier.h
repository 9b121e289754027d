// Verifies AWS Signature Version 4 Authorization headers the way AWS does, and words each failure as the
// service's protocol does. The signature is recomputed with the client-side signer (aws/sigv4.h) from the
// headers the client listed in SignedHeaders, at the client's X-Amz-Date, and compared in constant time.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "net/http_server.h"
#include "simcloud/wire.h"

namespace glueguard {

// A key simcloud accepts.
struct SimCredential {
  std::string access_key_id;
  std::string secret_access_key;
  std::string account_id = "123456789012";
  // When set, requests must carry it as X-Amz-Security-Token (temporary credentials); when empty, requests
  // must not carry a token.
  std::string session_token;
  std::string user_name = "simcloud";  // the caller's ARN is arn:aws:iam::<account_id>:user/<user_name>
};

// The credential with this access key id, or nullopt when there is none. Must be thread-safe.
using CredentialLookup = std::function<std::optional<SimCredential>(std::string_view access_key_id)>;

// The parts of "AWS4-HMAC-SHA256 Credential=AKID/20261123/us-east-1/ec2/aws4_request,
// SignedHeaders=content-type;host;x-amz-date, Signature=8574...".
struct SigV4Authorization {
  std::string access_key_id;
  std::string date;                         // "20261123"
  std::string region;                       // "us-east-1"
  std::string service;                      // "ec2"
  std::vector<std::string> signed_headers;  // lower-case, as listed
  std::string signature;                    // hex, as sent
};

// Parses an Authorization header value. Errors: InvalidArgument whose message is what AWS says in its
// IncompleteSignature error (a missing Credential, SignedHeaders or Signature, a part without '=', a
// credential scope without five parts or with a terminator other than aws4_request, another algorithm).
Result<SigV4Authorization> ParseSigV4Authorization(std::string_view header);

// Parses an X-Amz-Date value, "20261123T082035Z". InvalidArgument for anything else.
Result<Time> ParseAmzDate(std::string_view text);

struct SigV4Verdict {
  std::optional<Caller> caller;  // set when the request is authentic
  AwsError error;                // what AWS answers otherwise

  bool ok() const { return caller.has_value(); }
};

// Verifies `request`, a call to `service` (the signing name its credential scope must name; empty accepts
// any) in `protocol`, at wall-clock `now`. The checks and their answers, in AWS's order:
//   no Authorization header            EC2 MissingAuthenticationToken 401, query MissingAuthenticationToken
//                                      403, JSON MissingAuthenticationTokenException 400
//   a malformed header, no X-Amz-Date  IncompleteSignature 400 (JSON: IncompleteSignatureException 400)
//   an unknown key, a wrong token      EC2 AuthFailure 401, query InvalidClientTokenId 403, JSON
//                                      UnrecognizedClientException 400
//   X-Amz-Date more than `max_skew`    EC2 RequestExpired 400; query SignatureDoesNotMatch 403 and JSON
//   away from `now`                    InvalidSignatureException 400, "Signature expired: ..." / "not yet
//   current" a wrong scope date or service, an  EC2 AuthFailure 401, query SignatureDoesNotMatch 403, JSON
//   unsigned Host, a wrong signature   InvalidSignatureException 400
// Limits: only the Authorization header form (not presigned query strings); headers aws/sigv4.h never signs
// (User-Agent, Expect, X-Amzn-Trace-Id) cannot be verified when a client lists them. Thread-safe.
SigV4Verdict VerifySigV4(const ServerRequest& request, std::string_view service, WireProtocol protocol,
                         const CredentialLookup& credentials, Time now,
                         Duration max_skew = std::chrono::minutes(15));

}  // namespace glueguard
