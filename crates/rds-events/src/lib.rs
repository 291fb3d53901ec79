//! Typed Amazon RDS event notifications.
//!
//! RDS publishes each event (a backup finished, a Multi-AZ failover, low storage, …) to SNS
//! topics through event subscriptions, as a JSON string inside the SNS `Message`, and to the
//! EventBridge default bus as the event's `detail`. This crate parses either envelope into one
//! [`RdsEvent`] and classifies it by the catalogue of every documented event. From one
//! [`route::Selector`] per function it derives the SNS filter policy, the EventBridge pattern
//! and the RDS event subscriptions that deliver the events the function handles.
//!
//! ```
//! let payload = serde_json::json!({
//!     "version": "0", "id": "68f6e973", "detail-type": "RDS DB Instance Event",
//!     "source": "aws.rds", "account": "123456789012", "time": "2018-09-27T22:36:43Z",
//!     "region": "us-east-1", "resources": [],
//!     "detail": {
//!         "EventCategories": ["failover"], "SourceType": "DB_INSTANCE",
//!         "SourceArn": "arn:aws:rds:us-east-1:123456789012:db:my-db-instance",
//!         "Date": "2018-09-27T22:36:43.292Z", "Message": "A Multi-AZ failover has completed.",
//!         "SourceIdentifier": "my-db-instance", "EventID": "RDS-EVENT-0049"
//!     }
//! });
//! let records = rds_events::parse_payload(&payload).unwrap();
//! let Ok(rds_events::Notification::Event(event)) = &records[0] else { panic!() };
//! assert_eq!(event.event_id.to_string(), "RDS-EVENT-0049");
//! assert!(rds_events::route::FAILOVER_REACTOR.matches_event(event));
//! ```
#![warn(missing_docs)]

pub mod catalogue;
pub mod envelope;
pub mod error;
pub mod event;
pub mod policy;
pub mod route;
mod shape;

pub use envelope::{Notification, parse_payload};
pub use error::{ParseError, Problem};
pub use event::{Category, Delivery, EventId, RdsEvent, SourceType};

// Runs the README's example as a doctest, so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
