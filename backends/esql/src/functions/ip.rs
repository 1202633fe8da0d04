//! IPv4 functions: `CIDR_MATCH` over `TO_IP`.

use crate::ast::Expr;
use crate::cx::Cx;
use kqlport::codes::EsqlCode;
use kqlport::ir::{self, ExprKind, Literal};
use kqlport::source::Span;

/// `ipv4_is_private(ip)` ⇒ `CIDR_MATCH(TO_IP(ip), "10.0.0.0/8", "172.16.0.0/12",
/// "192.168.0.0/16")`.
pub(super) fn ipv4_is_private(a: Vec<Expr>) -> Expr {
    let mut v = vec![Expr::call("TO_IP", a)];
    v.extend(
        ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]
            .iter()
            .map(|c| Expr::Str((*c).to_string())),
    );
    Expr::call("CIDR_MATCH", v)
}

impl Cx {
    /// `ipv4_is_in_range(ip, "r")` ⇒ `CIDR_MATCH(TO_IP(ip), "r")` (`r/32` when `r` has no prefix
    /// length); a range computed at query time is declined.
    pub(super) fn ipv4_is_in_range(&mut self, args: &[ir::Expr], a: Vec<Expr>, span: Span) -> Expr {
        match &args[1].kind {
            ExprKind::Literal(Literal::String(r)) => {
                let cidr = if r.contains('/') {
                    r.clone()
                } else {
                    format!("{r}/32")
                };
                let ip = a.into_iter().next().unwrap_or(Expr::Null);
                Expr::call(
                    "CIDR_MATCH",
                    vec![Expr::call("TO_IP", vec![ip]), Expr::Str(cidr)],
                )
            }
            _ => {
                self.decline(
                    EsqlCode::B005,
                    "ipv4_is_in_range needs a literal range for CIDR_MATCH",
                    span,
                );
                Expr::Null
            }
        }
    }
}
