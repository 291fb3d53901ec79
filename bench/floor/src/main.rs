//! The floor of the cold-start benchmark: the least a Rust Lambda function can do for one RDS
//! event from SNS.
//!
//! It has the dependencies of the project's functions: lambda_runtime, aws-config, the RDS and
//! SNS SDKs, tokio and tracing-subscriber. It reads the RDS message out of each SNS record with
//! `serde_json` alone and makes the functions' SDK calls. It describes the resource the event
//! names as backup-notifier (a DB snapshot) and failover-reactor (a DB cluster and its
//! instances) do, and publishes one notification with the same message attributes. Anything a
//! function measures above this floor is its own code.
//!
//! Configuration: `NOTIFICATION_TOPIC_ARN`, the topic to publish to.

use aws_config::BehaviorVersion;
use std::time::{Duration, SystemTime};

use aws_sdk_rds::primitives::DateTime;
use aws_sdk_rds::types::{Filter, SourceType};
use aws_sdk_sns::types::MessageAttributeValue;
use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde_json::{Value, json};
use tracing_subscriber::EnvFilter;

/// The SDK clients and the topic, built once at init and shared by every invocation.
struct Clients {
    rds: aws_sdk_rds::Client,
    sns: aws_sdk_sns::Client,
    topic_arn: String,
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_target(false)
        .without_time()
        .flatten_event(true)
        .init();

    let topic_arn =
        std::env::var("NOTIFICATION_TOPIC_ARN").expect("NOTIFICATION_TOPIC_ARN must be set");
    let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let clients = Clients {
        rds: aws_sdk_rds::Client::new(&config),
        sns: aws_sdk_sns::Client::new(&config),
        topic_arn,
    };

    run(service_fn(|event: LambdaEvent<Value>| {
        handle(event, &clients)
    }))
    .await
}

/// Describes the resource of each record's RDS event and publishes one notification for it.
async fn handle(event: LambdaEvent<Value>, clients: &Clients) -> Result<Value, Error> {
    let records = event
        .payload
        .get("Records")
        .and_then(Value::as_array)
        .ok_or("payload has no Records array")?;

    let mut published = Vec::with_capacity(records.len());
    for record in records {
        let text = record
            .pointer("/Sns/Message")
            .and_then(Value::as_str)
            .ok_or("record has no Sns.Message string")?;
        let message: Value = serde_json::from_str(text)?;
        let field = |key: &str| {
            message
                .get(key)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("RDS message has no {key:?} string"))
        };
        let source_type = field("Event Source")?;
        let source_id = field("Source ID")?;
        let event_id = field("Event ID")?;
        let event_id = event_id.rsplit_once('#').map_or(event_id, |(_, id)| id);

        // The describe calls a function makes for this source type.
        let status = describe(clients, source_type, source_id).await?;

        let attribute = |data_type: &str, value: &str| {
            MessageAttributeValue::builder()
                .data_type(data_type)
                .string_value(value)
                .build()
        };
        let output = clients
            .sns
            .publish()
            .topic_arn(&clients.topic_arn)
            .subject(format!("[INFO] RDS {source_id}: {event_id}"))
            .message(format!(
                "What happened: {}\nStatus: {}\n",
                field("Event Message")?,
                status.as_deref().unwrap_or("unknown")
            ))
            .message_attributes("EventID", attribute("String", event_id)?)
            .message_attributes("SourceId", attribute("String", source_id)?)
            .message_attributes("SourceType", attribute("String", source_type)?)
            .message_attributes("Category", attribute("String.Array", r#"["unknown"]"#)?)
            .message_attributes("Severity", attribute("String", "info")?)
            .send()
            .await?;
        tracing::info!(event_id, source_id, status, "notification published");
        published.push(output.message_id().unwrap_or_default().to_owned());
    }
    Ok(json!({ "published": published }))
}

/// Describes a cluster as failover-reactor does: the cluster, its instances, its events of the
/// last hour, and each instance's tags (where a preferred writer is marked). Returns the
/// cluster's status.
async fn describe_cluster(clients: &Clients, cluster_id: &str) -> Result<Option<String>, Error> {
    let cluster = clients
        .rds
        .describe_db_clusters()
        .db_cluster_identifier(cluster_id)
        .send()
        .await?;
    let members = Filter::builder()
        .name("db-cluster-id")
        .values(cluster_id)
        .build();
    let instances = clients
        .rds
        .describe_db_instances()
        .filters(members)
        .send()
        .await?;

    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    clients
        .rds
        .describe_events()
        .source_identifier(cluster_id)
        .source_type(SourceType::DbCluster)
        .start_time(DateTime::from(hour_ago))
        .max_records(100)
        .send()
        .await?;
    for arn in instances
        .db_instances()
        .iter()
        .filter_map(|instance| instance.db_instance_arn())
    {
        clients
            .rds
            .list_tags_for_resource()
            .resource_name(arn)
            .send()
            .await?;
    }

    Ok(cluster
        .db_clusters()
        .first()
        .and_then(|cluster| cluster.status())
        .map(str::to_owned))
}

/// Describes the snapshot, cluster or instance an event names, with the calls the functions
/// make, and returns its status.
async fn describe(
    clients: &Clients,
    source_type: &str,
    source_id: &str,
) -> Result<Option<String>, Error> {
    let status = match source_type {
        "db-snapshot" => clients
            .rds
            .describe_db_snapshots()
            .db_snapshot_identifier(source_id)
            .send()
            .await?
            .db_snapshots()
            .first()
            .and_then(|snapshot| snapshot.status())
            .map(str::to_owned),
        "db-cluster-snapshot" => clients
            .rds
            .describe_db_cluster_snapshots()
            .db_cluster_snapshot_identifier(source_id)
            .send()
            .await?
            .db_cluster_snapshots()
            .first()
            .and_then(|snapshot| snapshot.status())
            .map(str::to_owned),
        "db-cluster" => describe_cluster(clients, source_id).await?,
        "db-instance" => clients
            .rds
            .describe_db_instances()
            .db_instance_identifier(source_id)
            .send()
            .await?
            .db_instances()
            .first()
            .and_then(|instance| instance.db_instance_status())
            .map(str::to_owned),
        _ => None,
    };
    Ok(status)
}
