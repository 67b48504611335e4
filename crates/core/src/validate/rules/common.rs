//! Helpers more than one topic's rules share.

use crate::model::units::Duration;

/// A duration for people: hours up to two days (`24h` rather than `1d`).
pub(crate) fn span(d: Duration) -> String {
    let hour = Duration::hours(1).as_millis();
    if d > Duration::ZERO && d <= Duration::days(2) && d.as_millis().is_multiple_of(hour) {
        format!("{}h", d.as_millis() / hour)
    } else {
        d.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_up_to_two_days() {
        assert_eq!(span(Duration::hours(24)), "24h");
        assert_eq!(span(Duration::hours(48)), "48h");
        assert_eq!(span(Duration::days(7)), "7d");
        assert_eq!(span(Duration::minutes(5)), "5min");
        assert_eq!(span(Duration::ZERO), Duration::ZERO.to_string());
    }
}
