//! The AWS SDK configuration the functions share.

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;

/// Maximum attempts per SDK call, the first included. The SDK's standard retry policy backs
/// off between them with jitter, and retries only throttling, transient and 5xx errors.
pub const MAX_ATTEMPTS: u32 = 3;

/// Maximum duration of one attempt.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(3);

/// Maximum duration of one call, retries included. Three calls that hang take 24 s, inside
/// the 30-second function timeout.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(8);

/// Loads the SDK configuration from the environment, with bounded retries and timeouts.
///
/// Region, credentials and endpoint come from the default chain (in Lambda: the function's
/// role and Region; locally: `AWS_REGION`, static keys and `AWS_ENDPOINT_URL`).
pub async fn load_sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(2))
                .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                .operation_timeout(OPERATION_TIMEOUT)
                .build(),
        )
        .load()
        .await
}
