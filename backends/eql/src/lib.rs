//! kqlport's eql backend (being written; see issue 3).
