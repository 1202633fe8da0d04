//! kqlport's sigma backend (being written; see issue 3).
