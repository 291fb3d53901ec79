//! The per-record loop every function runs, and its glue to the Lambda runtime.
//!
//! Each record is parsed, checked against the function's route, handled, and logged once.
//! A record that cannot be parsed or whose handling fails does not stop the others. After all
//! are handled, the invocation fails with every failure named, so Lambda retries it. After
//! the retries, its on-failure destination keeps the whole event. Handlers are idempotent, so
//! the records that succeeded the first time are safe to see again.

use std::error::Error as StdError;
use std::future::Future;
use std::time::Instant;

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use rds_events::route::Route;
use rds_events::{Notification, RdsEvent};
use serde::Serialize;
use serde_json::Value;
use tracing::{error, info, warn};

/// The action a handler took on one event, for the log line and the invocation's response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// A short, stable name of the action (`notified`, `copied`, `failback-dry-run`).
    pub action: String,
    /// The SNS message ID of the notification sent, if any.
    pub notification_id: Option<String>,
}

impl Outcome {
    /// Creates an outcome.
    pub fn new(action: impl Into<String>, notification_id: Option<String>) -> Outcome {
        Outcome {
            action: action.into(),
            notification_id,
        }
    }
}

/// The boxed error a handler returns; its source chain is logged and reported.
pub type HandlerError = Box<dyn StdError + Send + Sync>;

/// A function's logic for one event of its route.
pub trait Handler: Send + Sync {
    /// The route of events the function handles.
    fn route(&self) -> &'static Route;

    /// Handles one event of the route.
    ///
    /// # Errors
    /// Returns an error when the event could not be handled and a retry may succeed; the
    /// invocation then fails after the other records are handled.
    fn handle(
        &self,
        event: &RdsEvent,
    ) -> impl Future<Output = Result<Outcome, HandlerError>> + Send;
}

/// The result of one record, as returned in the invocation's response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordResult {
    /// The SNS message ID or EventBridge event ID, or `record N`.
    pub id: String,
    /// The event ID, when the record parsed.
    pub event_id: Option<String>,
    /// The resource identifier, when the record parsed.
    pub source_id: Option<String>,
    /// `handled`, `skipped` or `failed`.
    pub status: &'static str,
    /// The action taken, or why the record was skipped or failed.
    pub detail: String,
    /// The SNS message ID of the notification sent, if any.
    pub notification_id: Option<String>,
}

/// The response of an invocation whose records were all handled or skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// One result per record, in order.
    pub records: Vec<RecordResult>,
}

/// An invocation in which at least one record failed.
#[derive(Debug, thiserror::Error)]
#[error("{failed} of {total} records failed: {details}", failed = .failures.len(), details = .failures.join("; "))]
pub struct InvocationError {
    /// The number of records.
    pub total: usize,
    /// One message per failed record, naming its message ID.
    pub failures: Vec<String>,
    /// All results, the failed ones included.
    pub summary: Summary,
}

impl From<InvocationError> for Diagnostic {
    fn from(error: InvocationError) -> Diagnostic {
        Diagnostic {
            error_type: "RecordsFailed".to_owned(),
            error_message: error.to_string(),
        }
    }
}

/// Formats an error with its sources, outermost first: `publish failed: service error: …`.
pub fn error_chain(error: &(dyn StdError + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Handles every record of a Lambda payload (an SNS event or an EventBridge event).
///
/// Records outside the handler's route are skipped with a warning: the SNS filter policy
/// should have dropped them, so they point at a mis-set policy or an EventBridge rule wider
/// than the route. RDS's subscription notice is skipped. Everything else is handled.
///
/// # Errors
/// Returns an [`InvocationError`] naming each record that failed to parse or to be handled,
/// after all records were tried, or when the payload itself is neither kind of event.
pub async fn process<H: Handler>(payload: &Value, handler: &H) -> Result<Summary, InvocationError> {
    let records = match rds_events::parse_payload(payload) {
        Ok(records) => records,
        Err(err) => {
            let message = err.to_string();
            error!(error = %message, "invocation payload rejected");
            let result = RecordResult {
                id: err.id.clone(),
                event_id: None,
                source_id: None,
                status: "failed",
                detail: message.clone(),
                notification_id: None,
            };
            return Err(InvocationError {
                total: 1,
                failures: vec![message],
                summary: Summary {
                    records: vec![result],
                },
            });
        }
    };

    let total = records.len();
    let mut results = Vec::with_capacity(total);
    let mut failures = Vec::new();
    for record in records {
        let result = process_record(record, handler).await;
        if result.status == "failed" {
            failures.push(result.detail.clone());
        }
        results.push(result);
    }

    let summary = Summary { records: results };
    if failures.is_empty() {
        Ok(summary)
    } else {
        Err(InvocationError {
            total,
            failures,
            summary,
        })
    }
}

async fn process_record<H: Handler>(
    record: Result<Notification, rds_events::ParseError>,
    handler: &H,
) -> RecordResult {
    let event = match record {
        Ok(Notification::Event(event)) => event,
        Ok(Notification::SubscriptionNotice { message_id, .. }) => {
            info!(message_id = %message_id, action = "skipped", "RDS subscription notice skipped");
            return RecordResult {
                id: message_id,
                event_id: None,
                source_id: None,
                status: "skipped",
                detail: "RDS subscription notice".to_owned(),
                notification_id: None,
            };
        }
        Err(err) => {
            let message = err.to_string();
            error!(message_id = %err.id, field = %err.field, error = %message, "record rejected");
            return RecordResult {
                id: err.id,
                event_id: None,
                source_id: None,
                status: "failed",
                detail: message,
                notification_id: None,
            };
        }
    };

    let id = event.delivery.id().to_owned();
    let categories: Vec<String> = event
        .categories()
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    let categories = categories.join(",");
    let route = handler.route();
    let mut result = RecordResult {
        id: id.clone(),
        event_id: Some(event.event_id.to_string()),
        source_id: Some(event.source_id.clone()),
        status: "skipped",
        detail: String::new(),
        notification_id: None,
    };

    if !route.matches_event(&event) {
        warn!(
            message_id = %id,
            event_id = %event.event_id,
            source_id = %event.source_id,
            source_type = %event.source_type,
            category = %categories,
            route = route.name,
            action = "skipped",
            "event outside this function's route skipped; check the subscription filter policy"
        );
        result.detail = format!(
            "{} of {} is outside the {} route",
            event.event_id, event.source_type, route.name
        );
        return result;
    }

    let started = Instant::now();
    let handled = handler.handle(&event).await;
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match handled {
        Ok(outcome) => {
            info!(
                message_id = %id,
                event_id = %event.event_id,
                source_id = %event.source_id,
                source_type = %event.source_type,
                category = %categories,
                action = %outcome.action,
                notification_id = outcome.notification_id.as_deref().unwrap_or(""),
                duration_ms,
                "record handled"
            );
            result.status = "handled";
            result.detail = outcome.action;
            result.notification_id = outcome.notification_id;
        }
        Err(err) => {
            let message = format!(
                "{} {id}: {}",
                delivery_name(&event),
                error_chain(err.as_ref())
            );
            error!(
                message_id = %id,
                event_id = %event.event_id,
                source_id = %event.source_id,
                category = %categories,
                action = "failed",
                duration_ms,
                error = %message,
                "record failed"
            );
            result.status = "failed";
            result.detail = message;
        }
    }
    result
}

fn delivery_name(event: &RdsEvent) -> &'static str {
    match event.delivery {
        rds_events::Delivery::Sns { .. } => "SNS message",
        rds_events::Delivery::EventBridge { .. } => "EventBridge event",
    }
}

/// Serves invocations from the Lambda runtime API with a handler until the process ends.
///
/// # Errors
/// Returns the runtime's error when it cannot talk to the runtime API.
pub async fn run<H: Handler + 'static>(handler: H) -> Result<(), lambda_runtime::Error> {
    let handler = &handler;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        process(&event.payload, handler).await
    }))
    .await
}
