//! Stack room for the stages that recurse over nested input (YAML loading, lowering, the
//! backends). Their depth is bounded (the parser's nesting and chain limits, lowering's `L004` depth
//! limit once `let`s are inlined), but the bound times a debug build's frame sizes is more
//! than a 2 MB test thread or even an 8 MB main thread holds. So each such stage runs on a
//! stack segment of its own, reserved (not committed) on demand by `stacker`.

/// Less room than this left on the caller's stack: switch to a fresh segment.
const RED_ZONE: usize = 32 << 20;
/// The segment's size (address space reserved, pages committed only when touched): room to
/// spare for lowering's deepest nesting, 1,500 levels, through every backend in an unoptimised
/// build (`cli/tests/function_arity.rs` drives that depth on a 2 MB test thread).
const SEGMENT: usize = 64 << 20;

/// Runs `f` with at least [`RED_ZONE`] bytes of stack.
pub fn with_stack<T>(f: impl FnOnce() -> T) -> T {
    #[cfg(not(target_family = "wasm"))]
    return stacker::maybe_grow(RED_ZONE, SEGMENT, f);
    #[cfg(target_family = "wasm")]
    return f();
}
