//! Corpus snapshot tests live in tests/corpus.rs.
