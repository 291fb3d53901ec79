//! The recent events of an instance or cluster, read with DescribeEvents: what changed since
//! the event that triggered the function, whether a failover is running, and how many
//! failovers completed lately.
//!
//! DescribeEvents returns no event ID, only the message and its categories, so failover
//! events are recognised by their message (see [`FailoverMark`]).

use aws_sdk_rds::Client;
use chrono::{DateTime, TimeDelta, Utc};
use rds_events::SourceType;

/// The shortest history read, in minutes: the alert lists what changed in the last hour.
pub const MIN_WINDOW_MINUTES: u32 = 60;

/// The most DescribeEvents pages read (100 events each).
const MAX_PAGES: usize = 5;

/// How far apart, in seconds, the triggering event's time and its DescribeEvents entry may be
/// for the entry to count as the same event.
const SAME_EVENT_SECONDS: i64 = 60;

/// A DescribeEvents call that failed.
#[derive(Debug, thiserror::Error)]
#[error("DescribeEvents failed for {source_type} {identifier}")]
pub struct HistoryError {
    /// The source type.
    pub source_type: SourceType,
    /// The identifier.
    pub identifier: String,
    /// The SDK's error.
    #[source]
    pub source: aws_sdk_rds::Error,
}

/// The meaning of a past event for failovers, judged from its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailoverMark {
    /// A failover started: `Started same AZ failover …` and `Started cross AZ failover …`
    /// (RDS-EVENT-0072, 0073), `Multi-AZ instance failover started` (0013).
    Started,
    /// A failover completed: `Completed failover to DB instance …` (0071), `Multi-AZ instance
    /// failover completed` (0049).
    Completed,
    /// `Multi-AZ failover to standby complete …` (0015), which may accompany 0049 for the same
    /// failover.
    StandbyCompleted,
    /// A failover failed or was abandoned: `Cluster failover failed …` (0069), `Abandoning
    /// user requested failover …` (0034).
    Ended,
    /// Anything else, global database failovers included.
    None,
}

impl FailoverMark {
    /// Classifies a DescribeEvents message. Case and trailing periods are ignored, because
    /// real messages differ from the documented ones in both.
    pub fn of(message: &str) -> FailoverMark {
        let text = message.trim().to_ascii_lowercase();
        if !text.contains("failover") || text.contains("global") {
            return FailoverMark::None;
        }
        if text.contains("abandon") || text.contains("failed") {
            FailoverMark::Ended
        } else if text.starts_with("started") || text.contains("failover started") {
            FailoverMark::Started
        } else if text.contains("to standby complete") {
            FailoverMark::StandbyCompleted
        } else if text.contains("complete") {
            FailoverMark::Completed
        } else {
            FailoverMark::None
        }
    }

    fn is_completion(self) -> bool {
        matches!(
            self,
            FailoverMark::Completed | FailoverMark::StandbyCompleted
        )
    }
}

/// One past event of the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastEvent {
    /// When it happened.
    pub date: DateTime<Utc>,
    /// Its message.
    pub message: String,
    /// Its meaning for failovers.
    pub mark: FailoverMark,
}

impl PastEvent {
    /// Creates a past event, classifying its message.
    pub fn new(date: DateTime<Utc>, message: impl Into<String>) -> PastEvent {
        let message = message.into();
        PastEvent {
            date,
            mark: FailoverMark::of(&message),
            message,
        }
    }
}

/// The events of one source over a window that ends now, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct History {
    /// The events.
    pub events: Vec<PastEvent>,
}

impl History {
    /// Creates a history, sorting the events by date.
    pub fn new(mut events: Vec<PastEvent>) -> History {
        events.sort_by_key(|event| event.date);
        History { events }
    }

    /// Returns the events after `time`, leaving out the one that is the triggering event
    /// itself (same message, at most a minute apart).
    pub fn after(&self, time: DateTime<Utc>, trigger_message: &str) -> Vec<&PastEvent> {
        self.events
            .iter()
            .filter(|event| event.date > time)
            .filter(|event| {
                !(same_message(&event.message, trigger_message)
                    && (event.date - time).num_seconds().abs() <= SAME_EVENT_SECONDS)
            })
            .collect()
    }

    /// Returns the newest failover start that no completion or failure followed, if any.
    pub fn running_failover(&self) -> Option<&PastEvent> {
        let last_start = self
            .events
            .iter()
            .rev()
            .find(|event| event.mark == FailoverMark::Started)?;
        let ended_after = self.events.iter().any(|event| {
            event.date >= last_start.date
                && (event.mark.is_completion() || event.mark == FailoverMark::Ended)
        });
        (!ended_after).then_some(last_start)
    }

    /// Returns the times of the failovers that completed since `since`, oldest first.
    ///
    /// The triggering failover counts whether or not DescribeEvents lists it yet: when
    /// `trigger` is a completion at a time after `since` and no listed completion lies within
    /// a minute of it, it is added. A Multi-AZ failover may produce both RDS-EVENT-0049 and
    /// RDS-EVENT-0015, so the count is the larger of the two kinds, not their sum.
    pub fn completed_failovers(
        &self,
        since: DateTime<Utc>,
        trigger: Option<DateTime<Utc>>,
    ) -> Vec<DateTime<Utc>> {
        let of_kind = |mark: FailoverMark| -> Vec<DateTime<Utc>> {
            self.events
                .iter()
                .filter(|event| event.mark == mark && event.date >= since)
                .map(|event| event.date)
                .collect()
        };
        let completed = of_kind(FailoverMark::Completed);
        let standby = of_kind(FailoverMark::StandbyCompleted);
        let mut times = if standby.len() > completed.len() {
            standby
        } else {
            completed
        };
        if let Some(trigger) = trigger.filter(|trigger| *trigger >= since) {
            let listed = times
                .iter()
                .any(|time| (*time - trigger).num_seconds().abs() <= SAME_EVENT_SECONDS);
            if !listed {
                times.push(trigger);
                times.sort();
            }
        }
        times
    }
}

fn same_message(a: &str, b: &str) -> bool {
    let normalise = |text: &str| text.trim().trim_end_matches('.').to_ascii_lowercase();
    normalise(a) == normalise(b)
}

/// Returns the window of history to read: the cooldown, but at least an hour.
pub fn window_minutes(cooldown_minutes: u32) -> u32 {
    cooldown_minutes.max(MIN_WINDOW_MINUTES)
}

/// Reads the events of an instance or cluster over the last `minutes`.
///
/// Events past [`MAX_PAGES`] pages are left out; a source has far fewer in any window this
/// function reads.
///
/// # Errors
/// Returns the failed call.
pub async fn read_history(
    rds: &Client,
    source_type: &SourceType,
    identifier: &str,
    minutes: u32,
    now: DateTime<Utc>,
) -> Result<History, HistoryError> {
    let rds_source_type = match source_type {
        SourceType::DbCluster => aws_sdk_rds::types::SourceType::DbCluster,
        _ => aws_sdk_rds::types::SourceType::DbInstance,
    };
    let start = now - TimeDelta::minutes(i64::from(minutes));
    let start = aws_sdk_rds::primitives::DateTime::from_secs(start.timestamp());
    let mut events = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let output = rds
            .describe_events()
            .source_identifier(identifier)
            .source_type(rds_source_type.clone())
            .start_time(start)
            .max_records(100)
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|err| HistoryError {
                source_type: source_type.clone(),
                identifier: identifier.to_owned(),
                source: err.into(),
            })?;
        for event in output.events() {
            let Some(date) = event.date().and_then(to_chrono) else {
                continue;
            };
            // moto's server ignores StartTime, so the window is applied here too.
            if date < now - TimeDelta::minutes(i64::from(minutes)) {
                continue;
            }
            events.push(PastEvent::new(date, event.message().unwrap_or_default()));
        }
        marker = output.marker().map(str::to_owned);
        if marker.is_none() {
            break;
        }
    }
    Ok(History::new(events))
}

fn to_chrono(date: &aws_sdk_rds::primitives::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(date.secs(), date.subsec_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes_ago: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid time")
            - TimeDelta::minutes(minutes_ago)
    }

    #[test]
    fn marks_documented_messages() {
        let cases = [
            (
                "Completed failover to DB instance: billing-2",
                FailoverMark::Completed,
            ),
            (
                "Started same AZ failover to DB instance: billing-2.",
                FailoverMark::Started,
            ),
            (
                "Started cross AZ failover to DB instance: billing-2",
                FailoverMark::Started,
            ),
            (
                "Cluster failover failed, check the health of your cluster instances and try again.",
                FailoverMark::Ended,
            ),
            ("Multi-AZ instance failover started.", FailoverMark::Started),
            (
                "Multi-AZ instance failover completed",
                FailoverMark::Completed,
            ),
            (
                "A Multi-AZ failover has completed.",
                FailoverMark::Completed,
            ),
            (
                "Multi-AZ failover to standby complete - DNS propagation may take a few minutes.",
                FailoverMark::StandbyCompleted,
            ),
            (
                "Abandoning user requested failover since a failover recently occurred on the database instance.",
                FailoverMark::Ended,
            ),
            (
                "Global failover to DB cluster b in Region us-west-2 completed.",
                FailoverMark::None,
            ),
            (
                "Multi-AZ instance activation completed.",
                FailoverMark::None,
            ),
            ("Recovered from partial failover.", FailoverMark::None),
            ("DB instance restarted", FailoverMark::None),
            ("Finished DB Instance backup", FailoverMark::None),
        ];
        for (message, mark) in cases {
            assert_eq!(FailoverMark::of(message), mark, "{message}");
        }
    }

    #[test]
    fn running_failover_is_start_without_end() {
        let history = History::new(vec![
            PastEvent::new(at(20), "Started cross AZ failover to DB instance: b"),
            PastEvent::new(at(19), "Completed failover to DB instance: b"),
            PastEvent::new(at(2), "Started cross AZ failover to DB instance: a"),
        ]);
        let running = history.running_failover().expect("a failover is running");
        assert_eq!(running.date, at(2));
    }

    #[test]
    fn finished_failover_is_not_running() {
        let history = History::new(vec![
            PastEvent::new(at(3), "Completed failover to DB instance: a"),
            PastEvent::new(at(4), "Started cross AZ failover to DB instance: a"),
            PastEvent::new(at(1), "DB instance restarted"),
        ]);
        assert_eq!(history.running_failover(), None);
    }

    #[test]
    fn counts_completions_in_window() {
        let history = History::new(vec![
            PastEvent::new(at(90), "Completed failover to DB instance: b"),
            PastEvent::new(at(25), "Completed failover to DB instance: a"),
            PastEvent::new(at(1), "Completed failover to DB instance: b"),
        ]);
        assert_eq!(
            history.completed_failovers(at(30), Some(at(1))),
            vec![at(25), at(1)]
        );
    }

    #[test]
    fn trigger_counts_when_not_listed_yet() {
        let history = History::new(vec![PastEvent::new(
            at(10),
            "Completed failover to DB instance: a",
        )]);
        assert_eq!(
            history.completed_failovers(at(30), Some(at(0))),
            vec![at(10), at(0)]
        );
        assert_eq!(
            History::default().completed_failovers(at(30), Some(at(0))),
            vec![at(0)]
        );
    }

    #[test]
    fn multi_az_pair_counts_once() {
        let history = History::new(vec![
            PastEvent::new(
                at(5),
                "Multi-AZ failover to standby complete - DNS propagation may take a few minutes.",
            ),
            PastEvent::new(at(5), "Multi-AZ instance failover completed"),
        ]);
        assert_eq!(history.completed_failovers(at(30), Some(at(5))).len(), 1);
    }

    #[test]
    fn later_events_leave_out_trigger() {
        let history = History::new(vec![
            PastEvent::new(at(10), "Started cross AZ failover to DB instance: b"),
            PastEvent::new(
                at(9) + TimeDelta::seconds(1),
                "Completed failover to DB instance: b",
            ),
            PastEvent::new(at(3), "Started cross AZ failover to DB instance: a"),
        ]);
        let later = history.after(at(9), "Completed failover to DB instance: b.");
        assert_eq!(later.len(), 1);
        assert_eq!(
            later[0].message,
            "Started cross AZ failover to DB instance: a"
        );
    }
}
