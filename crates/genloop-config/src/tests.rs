//! Tests of RawConfig::check.
