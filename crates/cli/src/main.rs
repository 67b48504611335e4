//! The pgplan command-line tool.
fn main() {}
