#include "app/aws_runtime.h"

#include "aws/credentials_chain.h"
#include "aws/sts.h"

namespace glueguard {

Result<std::unique_ptr<AwsRuntime>> AwsRuntime::Create(const EnvLookup& env,
                                                       const std::string& fallback_region) {
  auto runtime = std::make_unique<AwsRuntime>();
  Result<AwsEnvironment> environment = AwsEnvironment::Load(env);
  if (!environment.ok()) return environment.status();
  runtime->environment = std::make_unique<AwsEnvironment>(*environment);
  if (runtime->environment->region().empty()) runtime->environment->set_region(fallback_region);
  AwsRuntime& r = *runtime;
  Result<std::unique_ptr<CredentialsProvider>> credentials = MakeDefaultCredentialsChain(
      *r.environment, r.transport, MakeStsFactory(r.transport, *r.environment, r.clock, r.random, r.sleeper),
      r.clock, r.sleeper);
  if (!credentials.ok()) return credentials.status();
  r.credentials = std::move(*credentials);
  r.client =
      std::make_unique<AwsClient>(r.transport, *r.credentials, *r.environment, r.clock, r.random, r.sleeper);
  return runtime;
}

}  // namespace glueguard
