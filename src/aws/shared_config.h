// The AWS shared configuration files: ~/.aws/config and ~/.aws/credentials, as every AWS SDK reads them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/env.h"
#include "base/status.h"

namespace glueguard {

class SharedConfig {
 public:
  // Reads AWS_CONFIG_FILE (default $HOME/.aws/config) and AWS_SHARED_CREDENTIALS_FILE (default
  // $HOME/.aws/credentials). A missing file is the same as an empty one; an unreadable or malformed one is an
  // InvalidArgument naming the file and line. The profile is AWS_PROFILE (or AWS_DEFAULT_PROFILE), else "default".
  static Result<SharedConfig> Load(const EnvLookup& env);
  // Parses the two files' texts; `config_name` and `credentials_name` are used in messages.
  static Result<SharedConfig> Parse(std::string_view config_text, std::string_view credentials_text,
                                    std::string_view config_name = "config",
                                    std::string_view credentials_name = "credentials");

  // The selected profile's name.
  const std::string& profile() const { return profile_; }
  void set_profile(std::string name) { profile_ = std::move(name); }

  // True when either file has the profile ([name] in credentials; [profile name], or [default], in config).
  bool HasProfile(const std::string& profile) const;
  // A key of a profile, the credentials file taking precedence; nullopt when absent.
  std::optional<std::string> Get(const std::string& profile, const std::string& key) const;
  // A nested key in a [services NAME] section, e.g. GetService("local", "ec2", "endpoint_url").
  std::optional<std::string> GetService(const std::string& section, const std::string& service,
                                        const std::string& key) const;

 private:
  using Keys = std::map<std::string, std::string>;
  // section kind + name -> keys; nested keys are stored as "parent.child".
  std::map<std::string, Keys> config_profiles_;
  std::map<std::string, Keys> credentials_profiles_;
  std::map<std::string, Keys> services_;
  std::string profile_ = "default";
};

}  // namespace glueguard
