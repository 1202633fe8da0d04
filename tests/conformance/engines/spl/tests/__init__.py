"""Unit tests of the SPL reference evaluator, from the examples of the Splunk pages in DOCS.md."""
