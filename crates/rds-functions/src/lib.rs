//! The runtime shared by the rds-event-lambdas functions.
//!
//! Each function's `main` reads its configuration ([`config`]), initialises JSON logging
//! ([`telemetry`]), builds its AWS SDK clients once ([`aws`]), and hands a [`records::Handler`]
//! to [`records::run`]. That loop parses each SNS record or EventBridge event, checks it
//! against the function's route, handles it, and logs one line per record. Notifications go
//! out through [`notify::Notifier`].
//!
//! Everything that calls AWS or the Lambda runtime comes with the default `aws` feature.
//! Without it, the crate is the configuration readers and the notification formatter, which
//! the fuzz targets build with fuzzing instrumentation.

// The crate docs above link to modules and items of the `aws` feature, which do not exist
// without it.
#![cfg_attr(not(feature = "aws"), allow(rustdoc::broken_intra_doc_links))]

#[cfg(feature = "aws")]
pub mod aws;
pub mod config;
pub mod notify;
#[cfg(feature = "aws")]
pub mod records;
#[cfg(feature = "aws")]
pub mod telemetry;
#[cfg(feature = "test-support")]
pub mod testing;
