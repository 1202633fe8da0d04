//! Unit tests of the KQL parser: precedence, literals, names, operators, diagnostics.
