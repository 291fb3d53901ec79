//! The logic of failover-reactor, as a library so that tests can run it against moto's
//! server, or against mocked SDK clients where moto cannot produce the state.

mod alert;
mod config;
mod decision;
mod failback;
mod handler;
mod history;
mod preference;
mod state;

pub use alert::{completes_failover, severity_for, severity_of, title_of};
pub use config::{Config, DEFAULT_COOLDOWN_MINUTES, FailbackConfig, MAX_COOLDOWN_MINUTES};
pub use decision::{
    COOLDOWN_FAILOVERS, Decision, Facts, Guard, Plan, decide_cluster, decide_instance,
};
pub use failback::{Applied, apply};
pub use handler::{FailoverReactor, Invocation, run};
pub use history::{
    FailoverMark, History, HistoryError, MIN_WINDOW_MINUTES, PastEvent, read_history,
    window_minutes,
};
pub use preference::{
    Origin, PREFERRED_WRITER_TAG, PREFERRED_ZONE_TAG, WriterPreference, ZonePreference,
    preferred_writer, preferred_zone,
};
pub use state::{
    ClusterState, InstanceState, MemberState, StateError, describe_cluster, describe_instance,
};
