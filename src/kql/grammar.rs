//! The pest binding of `grammar/kql.pest` and the operator-precedence table. Owns nothing but
//! the generated parser; pest types never leave `src/kql`.

use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest_derive::Parser;
use std::sync::LazyLock;

#[derive(Parser)]
#[grammar = "../grammar/kql.pest"]
pub(crate) struct KqlParser;

/// KQL precedence, loosest first: `or`, `and`, comparisons and string operators (incl. `in`,
/// `has_any`, `between`), `+ -`, `* / %`, unary sign, then member access and indexing.
pub(crate) static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::infix(Rule::op_cmp, Assoc::Left)
            | Op::postfix(Rule::in_suffix)
            | Op::postfix(Rule::list_suffix)
            | Op::postfix(Rule::between_suffix))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left)
            | Op::infix(Rule::op_div, Assoc::Left)
            | Op::infix(Rule::op_mod, Assoc::Left))
        .op(Op::prefix(Rule::neg) | Op::prefix(Rule::pos))
        .op(Op::postfix(Rule::member) | Op::postfix(Rule::index) | Op::postfix(Rule::dot_index))
});
