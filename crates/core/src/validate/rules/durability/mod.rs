//! Durability: settings that trade crash safety for speed.

mod asynchronous_commit;
mod crash_safety;

pub use asynchronous_commit::AsynchronousCommit;
pub use crash_safety::CrashSafety;
