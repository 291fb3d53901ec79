//! JSON logging through tracing-subscriber.

use tracing_subscriber::EnvFilter;

/// Initialises a JSON subscriber that writes one object per line to standard output.
///
/// The level comes from `AWS_LAMBDA_LOG_LEVEL` (set by Lambda's advanced logging controls),
/// else `RUST_LOG`, else `info`. Each line carries the runtime's `Lambda runtime invoke` span,
/// whose `requestId` ties it to the invocation. Lambda adds the timestamp, so none is written.
pub fn init() {
    let directive = std::env::var("AWS_LAMBDA_LOG_LEVEL")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info".to_owned());
    let filter = EnvFilter::try_new(directive.to_ascii_lowercase())
        .unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_target(false)
        .without_time()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .init();
}
