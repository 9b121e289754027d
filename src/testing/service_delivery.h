// A request handed straight to one simcloud service, as the front hands it over once the signature is
// verified: parsed as the server sees it, with a fixed request id and simcloud's test caller in `region`.
// The service's answer comes back as the client would see it. For service tests over a FakeTransport.
#pragma once

#include <string>

#include "net/http.h"
#include "net/url.h"
#include "simcloud/wire.h"

namespace glueguard::testing {

inline Result<HttpResponse> DeliverToService(ServiceHandler& service, const HttpRequest& request,
                                             const std::string& region) {
  Result<Url> url = ParseUrl(request.url);
  if (!url.ok()) return url.status();
  ServerRequest received{request.method,  url->path,    url->query, FormDecode(url->query),
                         request.headers, request.body, "127.0.0.1"};
  ParsedCall parsed = ParseAwsCall(received);
  parsed.call.request_id = "rid";
  parsed.call.caller =
      Caller{"AKIDEXAMPLE", "123456789012", "arn:aws:iam::123456789012:user/simcloud", region};
  const ServerResponse r =
      parsed.error ? ErrorResponse(parsed.call, *parsed.error) : service.Handle(parsed.call);
  return HttpResponse{r.status, r.headers, r.body};
}

}  // namespace glueguard::testing
