// The AWS services glueguard calls, with what the wire protocol needs to know about each.
#pragma once

namespace glueguard {

enum class AwsProtocol {
  kQuery,  // form POST, XML reply with <OpResult> and <ResponseMetadata> (SNS, SQS, STS, CloudWatch)
  kEc2,    // form POST, XML reply without a result wrapper, errors under <Response><Errors>
  kJson,   // JSON POST with X-Amz-Target (Glue, DynamoDB)
};

struct ServiceInfo {
  const char* id;              // the SDKs' service id, upper-cased in AWS_ENDPOINT_URL_<ID>; "EC2", "GLUE", ...
  const char* config_key;      // the key in a [services] section of ~/.aws/config: "ec2", "glue", ...
  const char* endpoint_prefix; // "ec2" -> https://ec2.<region>.amazonaws.com
  const char* signing_name;    // the SigV4 service name
  AwsProtocol protocol;
  const char* api_version;     // query protocols: the Version parameter
  const char* target_prefix;   // JSON: X-Amz-Target = <prefix>.<Operation>
  const char* json_version;    // JSON: "1.0" or "1.1"
};

inline constexpr ServiceInfo kEc2Service{"EC2", "ec2", "ec2", "ec2", AwsProtocol::kEc2, "2016-11-15", "", ""};
inline constexpr ServiceInfo kGlueService{"GLUE", "glue", "glue", "glue", AwsProtocol::kJson, "", "AWSGlue", "1.1"};
inline constexpr ServiceInfo kDynamoDbService{
    "DYNAMODB", "dynamodb", "dynamodb", "dynamodb", AwsProtocol::kJson, "", "DynamoDB_20120810", "1.0"};
inline constexpr ServiceInfo kSnsService{"SNS", "sns", "sns", "sns", AwsProtocol::kQuery, "2010-03-31", "", ""};
inline constexpr ServiceInfo kSqsService{"SQS", "sqs", "sqs", "sqs", AwsProtocol::kQuery, "2012-11-05", "", ""};
inline constexpr ServiceInfo kStsService{"STS", "sts", "sts", "sts", AwsProtocol::kQuery, "2011-06-15", "", ""};
inline constexpr ServiceInfo kCloudWatchService{
    "CLOUDWATCH", "cloudwatch", "monitoring", "monitoring", AwsProtocol::kQuery, "2010-08-01", "", ""};

}  // namespace glueguard
