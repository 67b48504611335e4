//! Monitoring: alert thresholds that can fire in time, and what they need
//! from the server.

mod connection_alert;
mod replication_lag_alert;
mod resource_alerts;
mod slow_query_logging;

pub use connection_alert::ConnectionAlert;
pub use replication_lag_alert::ReplicationLagAlert;
pub use resource_alerts::ResourceAlerts;
pub use slow_query_logging::SlowQueryLogging;
