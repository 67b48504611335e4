//! Rules about the SQL objects a plan creates, which PostgreSQL would
//! refuse or silently merge (ids PGP180–PGP199).

mod reserved_schema_names;
mod schema_usage;
mod unique_database_names;

pub use reserved_schema_names::ReservedSchemaNames;
pub use schema_usage::SchemaUsage;
pub use unique_database_names::UniqueDatabaseNames;
