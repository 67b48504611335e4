//! pgplan-ha: (being built).
