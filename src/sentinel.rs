//! Sentinel rule loading (placeholder).
