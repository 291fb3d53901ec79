//! The current state of an instance or cluster, read through the RDS API.
//!
//! RDS delivers events out of order and more than once, so the reactor reports and decides
//! from this state, not from the event.

use aws_sdk_rds::Client;
use aws_sdk_rds::types::Filter;

/// A describe call that failed.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The instance or cluster does not exist (any more).
    #[error("{kind} {identifier} not found")]
    NotFound {
        /// `DB instance` or `DB cluster`.
        kind: &'static str,
        /// The identifier.
        identifier: String,
    },
    /// The call failed.
    #[error("{operation} failed for {identifier}")]
    Call {
        /// The RDS operation.
        operation: &'static str,
        /// The identifier.
        identifier: String,
        /// The SDK's error.
        #[source]
        source: aws_sdk_rds::Error,
    },
}

/// A DB instance as RDS describes it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceState {
    /// The identifier.
    pub identifier: String,
    /// The ARN, for ListTagsForResource.
    pub arn: Option<String>,
    /// The Aurora or Multi-AZ DB cluster the instance belongs to, if any.
    pub cluster_identifier: Option<String>,
    /// The status (`available`, `rebooting`, …).
    pub status: String,
    /// Whether the instance is Multi-AZ.
    pub multi_az: bool,
    /// The Availability Zone of the primary.
    pub availability_zone: Option<String>,
    /// The Availability Zone of the standby, for a Multi-AZ instance.
    pub secondary_availability_zone: Option<String>,
}

impl InstanceState {
    /// Returns the lines an alert shows.
    pub fn lines(&self) -> Vec<String> {
        if let Some(cluster) = &self.cluster_identifier {
            return vec![format!(
                "Instance: {} in {} (status {}), member of DB cluster {cluster}",
                self.identifier,
                self.availability_zone
                    .as_deref()
                    .unwrap_or("an unknown Availability Zone"),
                self.status
            )];
        }
        let mut lines = vec![format!(
            "Current primary: {} in {} (status {})",
            self.identifier,
            self.availability_zone
                .as_deref()
                .unwrap_or("an unknown Availability Zone"),
            self.status
        )];
        if self.multi_az {
            lines.push(format!(
                "Standby: {}",
                self.secondary_availability_zone
                    .as_deref()
                    .unwrap_or("Availability Zone not reported")
            ));
        } else {
            lines.push("Multi-AZ: no".to_owned());
        }
        lines
    }
}

/// A member of an Aurora cluster as RDS describes it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberState {
    /// The DB instance identifier.
    pub identifier: String,
    /// The DB instance ARN, when its instance could be described.
    pub arn: Option<String>,
    /// Whether it is the cluster's writer.
    pub is_writer: bool,
    /// Its Availability Zone, when its instance could be described.
    pub availability_zone: Option<String>,
    /// Its instance status, when its instance could be described.
    pub status: Option<String>,
}

/// An Aurora cluster as RDS describes it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterState {
    /// The cluster identifier.
    pub identifier: String,
    /// The cluster status (`available`, `failing-over`, …).
    pub status: String,
    /// The members, writer first.
    pub members: Vec<MemberState>,
}

impl ClusterState {
    /// Returns the writer, if the cluster has one now.
    pub fn writer(&self) -> Option<&MemberState> {
        self.members.iter().find(|member| member.is_writer)
    }

    /// Returns the member with this instance identifier.
    pub fn member(&self, identifier: &str) -> Option<&MemberState> {
        self.members
            .iter()
            .find(|member| member.identifier == identifier)
    }

    /// Returns the lines an alert shows.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![format!("Cluster status: {}", self.status)];
        match self.writer() {
            Some(writer) => lines.push(format!(
                "Current writer: {} in {} (status {})",
                writer.identifier,
                writer
                    .availability_zone
                    .as_deref()
                    .unwrap_or("an unknown Availability Zone"),
                writer.status.as_deref().unwrap_or("unknown")
            )),
            None => lines.push("Current writer: none reported".to_owned()),
        }
        for member in self.members.iter().filter(|member| !member.is_writer) {
            lines.push(format!(
                "Reader: {} in {} (status {})",
                member.identifier,
                member
                    .availability_zone
                    .as_deref()
                    .unwrap_or("an unknown Availability Zone"),
                member.status.as_deref().unwrap_or("unknown")
            ));
        }
        lines
    }
}

/// Describes a DB instance.
///
/// # Errors
/// Returns [`StateError::NotFound`] when it does not exist, or the failed call.
pub async fn describe_instance(
    rds: &Client,
    identifier: &str,
) -> Result<InstanceState, StateError> {
    const OPERATION: &str = "DescribeDBInstances";
    let output = match rds
        .describe_db_instances()
        .db_instance_identifier(identifier)
        .send()
        .await
    {
        Ok(output) => output,
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_db_instance_not_found_fault()) =>
        {
            return Err(StateError::NotFound {
                kind: "DB instance",
                identifier: identifier.to_owned(),
            });
        }
        Err(err) => {
            return Err(StateError::Call {
                operation: OPERATION,
                identifier: identifier.to_owned(),
                source: err.into(),
            });
        }
    };
    let instance = output
        .db_instances()
        .first()
        .ok_or_else(|| StateError::NotFound {
            kind: "DB instance",
            identifier: identifier.to_owned(),
        })?;
    Ok(InstanceState {
        identifier: identifier.to_owned(),
        arn: instance.db_instance_arn().map(str::to_owned),
        cluster_identifier: instance.db_cluster_identifier().map(str::to_owned),
        status: instance
            .db_instance_status()
            .unwrap_or("unknown")
            .to_owned(),
        multi_az: instance.multi_az().unwrap_or(false),
        availability_zone: instance.availability_zone().map(str::to_owned),
        secondary_availability_zone: instance.secondary_availability_zone().map(str::to_owned),
    })
}

/// Describes an Aurora cluster and the instances of its members.
///
/// # Errors
/// Returns [`StateError::NotFound`] when the cluster does not exist, or the failed call.
pub async fn describe_cluster(rds: &Client, identifier: &str) -> Result<ClusterState, StateError> {
    let output = match rds
        .describe_db_clusters()
        .db_cluster_identifier(identifier)
        .send()
        .await
    {
        Ok(output) => output,
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_db_cluster_not_found_fault()) =>
        {
            return Err(StateError::NotFound {
                kind: "DB cluster",
                identifier: identifier.to_owned(),
            });
        }
        Err(err) => {
            return Err(StateError::Call {
                operation: "DescribeDBClusters",
                identifier: identifier.to_owned(),
                source: err.into(),
            });
        }
    };
    let cluster = output
        .db_clusters()
        .first()
        .ok_or_else(|| StateError::NotFound {
            kind: "DB cluster",
            identifier: identifier.to_owned(),
        })?;

    // One call for the members' Availability Zones and statuses.
    let instances = rds
        .describe_db_instances()
        .filters(
            Filter::builder()
                .name("db-cluster-id")
                .values(identifier)
                .build(),
        )
        .send()
        .await
        .map_err(|err| StateError::Call {
            operation: "DescribeDBInstances",
            identifier: identifier.to_owned(),
            source: err.into(),
        })?;

    let mut members: Vec<MemberState> = cluster
        .db_cluster_members()
        .iter()
        .filter_map(|member| {
            let id = member.db_instance_identifier()?;
            let instance = instances
                .db_instances()
                .iter()
                .find(|i| i.db_instance_identifier() == Some(id));
            Some(MemberState {
                identifier: id.to_owned(),
                arn: instance
                    .and_then(|i| i.db_instance_arn())
                    .map(str::to_owned),
                is_writer: member.is_cluster_writer().unwrap_or(false),
                availability_zone: instance
                    .and_then(|i| i.availability_zone())
                    .map(str::to_owned),
                status: instance
                    .and_then(|i| i.db_instance_status())
                    .map(str::to_owned),
            })
        })
        .collect();
    members.sort_by_key(|member| !member.is_writer);

    Ok(ClusterState {
        identifier: identifier.to_owned(),
        status: cluster.status().unwrap_or("unknown").to_owned(),
        members,
    })
}
