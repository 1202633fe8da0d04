//! kqlport's esql backend (being written; see issue 3).
