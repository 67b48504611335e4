//! pgplan-azure: (being built).
