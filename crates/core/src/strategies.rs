//! Proptest strategies that generate plans, valid and not.
