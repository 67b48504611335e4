//! pgplan-k8s: (being built).
