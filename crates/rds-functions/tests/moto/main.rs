//! rds-functions against moto's server: the per-record loop with a handler that publishes
//! notifications like the functions do, under SDK faults injected by a proxy on loopback,
//! and with duplicate deliveries.
//!
//! Run under `scripts/with-moto` (`make test`).

mod duplicates;
mod faults;
mod proxy;
mod support;
