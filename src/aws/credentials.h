// Where AWS credentials come from. The default chain and its providers are in credentials_chain.h.
#pragma once

#include "aws/sigv4.h"
#include "base/status.h"

namespace glueguard {

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Credentials valid now. Errors: NotFound when this provider has none to offer (the chain moves on);
  // anything else when it should have had some and failed (the chain stops and reports it). Thread-safe.
  virtual Result<Credentials> Get() = 0;
};

// Always the same credentials; for tests and for keys given explicitly.
class StaticCredentialsProvider final : public CredentialsProvider {
 public:
  explicit StaticCredentialsProvider(Credentials credentials) : credentials_(std::move(credentials)) {}
  Result<Credentials> Get() override { return credentials_; }

 private:
  Credentials credentials_;
};

}  // namespace glueguard
