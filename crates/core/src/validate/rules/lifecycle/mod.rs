//! Lifecycle: how long the plan's PostgreSQL version is supported.

mod end_of_life;

pub use end_of_life::EndOfLife;
