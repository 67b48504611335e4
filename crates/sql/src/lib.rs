//! pgplan-sql: (being built).
