//! kqlport's spl backend (being written; see issue 3).
