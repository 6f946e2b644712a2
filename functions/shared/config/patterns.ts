/**
 * The text rules of the config that are regular expressions, in one place: the validator tests them and the JSON Schema
 * editors read carries them as `pattern`s, so both judge a value alike. Where a rule is beyond a pattern (a CIDR's host
 * bits, an address range that is never a mail destination) the code beside the field checks it as well.
 */

/** Canary and target names: 1-63 letters, digits, dots, dashes or underscores. */
export const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * A host name: labels of letters, digits and inner hyphens, at most 253 characters, an optional final dot; the last
 * label is not all digits, so `300.0.0.1` is no host name (RFC 3696 section 2: a top-level domain is never all-numeric)
 * while a valid dotted quad is an IPv4 literal.
 */
export const HOST_NAME =
  /^(?!(?:.*\.)?\d+\.?$)(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

export const IPV4_LITERAL =
  /^(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;

export const IPV6_LITERAL =
  /^(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){1,7}:|(?:[0-9A-Fa-f]{1,4}:){1,6}:[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){1,5}(?::[0-9A-Fa-f]{1,4}){1,2}|(?:[0-9A-Fa-f]{1,4}:){1,4}(?::[0-9A-Fa-f]{1,4}){1,3}|(?:[0-9A-Fa-f]{1,4}:){1,3}(?::[0-9A-Fa-f]{1,4}){1,4}|(?:[0-9A-Fa-f]{1,4}:){1,2}(?::[0-9A-Fa-f]{1,4}){1,5}|[0-9A-Fa-f]{1,4}:(?::[0-9A-Fa-f]{1,4}){1,6}|:(?:(?::[0-9A-Fa-f]{1,4}){1,7}|:)|(?:[0-9A-Fa-f]{1,4}:){6}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}|::(?:ffff(?::0{1,4})?:)?(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}|(?:[0-9A-Fa-f]{1,4}:){1,5}:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3})$/;

/** An IPv4 or IPv6 CIDR block (its host bits are checked in code). */
export const CIDR =
  /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}\/(?:3[0-2]|[12]?[0-9])|(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){1,7}:|(?:[0-9A-Fa-f]{1,4}:){1,6}:[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:){1,5}(?::[0-9A-Fa-f]{1,4}){1,2}|(?:[0-9A-Fa-f]{1,4}:){1,4}(?::[0-9A-Fa-f]{1,4}){1,3}|(?:[0-9A-Fa-f]{1,4}:){1,3}(?::[0-9A-Fa-f]{1,4}){1,4}|(?:[0-9A-Fa-f]{1,4}:){1,2}(?::[0-9A-Fa-f]{1,4}){1,5}|[0-9A-Fa-f]{1,4}:(?::[0-9A-Fa-f]{1,4}){1,6}|:(?:(?::[0-9A-Fa-f]{1,4}){1,7}|:)|(?:[0-9A-Fa-f]{1,4}:){6}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}|::(?:ffff(?::0{1,4})?:)?(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}|(?:[0-9A-Fa-f]{1,4}:){1,5}:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3})\/(?:12[0-8]|1[01][0-9]|[1-9]?[0-9]))$/;

/**
 * CloudWatch namespaces: 1-255 of letters, digits, `.`, `-`, `_`, `/`, `#`, `:` and space, at least one of them not a
 * space, not starting with `:` (CloudWatch concepts, "Namespaces"; PutMetricData `Namespace` pattern `[^:].*`).
 */
export const NAMESPACE = /^(?!:)(?=.*[^ ])[0-9A-Za-z._\-/#: ]{1,255}$/;
/** PutMetricData refuses namespaces starting with it: reserved for AWS services. */
export const RESERVED_NAMESPACE_PREFIX = 'AWS/';

export const EHLO_NAME = /^[A-Za-z0-9.-]{1,253}$/;

/** A regular AZ name such as `eu-west-1a` (the region, then one letter). */
export const AVAILABILITY_ZONE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}[a-z]$/;

export const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
export const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
export const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/;

/**
 * ECS container names: "Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed"
 * (ECS task definition parameters, `name` of a container definition).
 */
export const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * The awslogs `awslogs-stream-prefix` becomes part of each log stream's name, `prefix/container/task-id`, and a log
 * stream name may not contain `:` or `*` (CloudWatch Logs CreateLogStream, `logStreamName` pattern `[^:*]*`).
 */
export const LOG_STREAM_PREFIX = /^(?=.*\S)[^:*]+$/;

/**
 * EventBridge `rate(...)`, or `cron(...)` with its six fields (minutes hours day-of-month month day-of-week year); how
 * the day fields go together is checked in code (deployment.ts).
 */
export const SCHEDULE = /^(rate\(.+\)|cron\(\s*\S+(\s+\S+){5}\s*\))$/;

export const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export const ACCOUNT = /^\d{12}$/;
/** us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ap-southeast-5: any partition's. */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
export const VANTAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/;
export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
export const PROFILE = /^[^\s[\]]{1,128}$/;

/** An OAM sink: `arn:<partition>:oam:<region>:<account>:sink/<id>` (CloudWatch OAM API Reference, CreateSink). */
export const SINK_ARN = /^arn:(aws[a-z-]*):oam:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):sink\/[\w-]{1,255}$/;
