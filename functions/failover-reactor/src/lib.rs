//! The logic of failover-reactor, as a library so that tests can run it against moto's
//! server with clients aimed there.

mod config;
mod handler;
mod state;

pub use config::Config;
pub use handler::{FailoverReactor, severity_of};
pub use state::{
    ClusterState, InstanceState, MemberState, StateError, describe_cluster, describe_instance,
};
