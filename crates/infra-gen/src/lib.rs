//! Writes and checks the parts of the AWS SAM template that are derived from the routes.
//!
//! The RDS event subscriptions, each function's SNS subscription filter policy and each
//! function's EventBridge pattern all come from the selectors in [`rds_events::route`], so
//! the template holds them in generated blocks between `# BEGIN GENERATED <name>` and
//! `# END GENERATED <name>` lines. [`template::regenerate`] rewrites those blocks and
//! [`template::stale_blocks`] reports the ones that no longer match the routes.

pub mod blocks;
pub mod flow;
pub mod template;

pub use blocks::{Block, GenerateError, Node, blocks};
pub use template::{StaleBlock, TemplateError, regenerate, stale_blocks};
