//! URLs and IPv4 addresses: `url_decode` (`urldecode`), `parse_url` (one regular expression,
//! the whole object by `json_object`) and its members, `parse_ipv4` (four validated octets and
//! an optional prefix, by arithmetic), `ipv4_is_private`/`ipv4_is_in_range` (`cidrmatch`).

use super::Tx;
use crate::ast::Eval;
use kqlport::backend::Effect;
use kqlport::codes::SplCode;
use kqlport::ir::{Expr, FieldPath, PathSegment, ScalarFn};
use kqlport::source::Span;

/// An absolute URL split into its parts: 1 scheme, 2 user name, 3 password, 4 host (a
/// bracketed IPv6 literal or text up to `:`, `/`, `?`, `#`), 5 port, 6 path, 7 query,
/// 8 fragment.
const URL_RE: &str = "(?s)^([A-Za-z][A-Za-z0-9+.-]*)://(?:([^:@/?#]*)(?::([^@/?#]*))?@)?\
                      (\\[[^\\]/?#]*\\]|[^:/?#]*)(?::([0-9]*))?([^?#]*)(?:\\?([^#]*))?\
                      (?:#(.*))?\\z";

/// `parse_url`'s members this backend computes, with their group in [`URL_RE`]. KQL's
/// `Query Parameters` (a bag of the decoded query) is not among them.
const URL_PARTS: &[(&str, u8)] = &[
    ("Scheme", 1),
    ("Host", 4),
    ("Port", 5),
    ("Path", 6),
    ("Username", 2),
    ("Password", 3),
    ("Fragment", 8),
];

const QUERY_PARAMETERS: &str = "Query Parameters";

/// Four decimal octets 0–255 without leading zeros, and an optional prefix length 0–32.
const IPV4_RE: &str = "^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.\
                       (25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.\
                       (25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.\
                       (25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\
                       (?:/(3[0-2]|[12]?[0-9]))?\\z";

const URL_NOTE: &str = "parse_url() is computed with one regular expression \
    (scheme://[user[:password]@]host[:port]path[?query][#fragment]); KQL documents its parts \
    only by one example, so letter case, percent-escapes, default ports, the Path's leading \
    `/` and the result for text that is not an absolute URL may differ";

impl Tx {
    pub(super) fn ipv4(&mut self, func: ScalarFn, args: &[Expr], span: Span) -> Option<Eval> {
        let ip = self.expr(args.first()?)?;
        let cidr = |r: &str| Eval::call("cidrmatch", vec![Eval::str(r), ip.clone()]);
        match func {
            ScalarFn::Ipv4IsPrivate => Some(Eval::or(vec![
                cidr("10.0.0.0/8"),
                cidr("172.16.0.0/12"),
                cidr("192.168.0.0/16"),
            ])),
            _ => {
                let Some(range) = args.get(1) else {
                    return self.unsupported_fn(func, span);
                };
                let r = self.literal_str(range, "the ipv4_is_in_range range")?;
                let r = if r.contains('/') {
                    r.to_string()
                } else {
                    format!("{r}/32")
                };
                Some(cidr(&r))
            }
        }
    }

    /// `url_decode(s)` ⇒ `urldecode(s)`.
    pub(super) fn url_decode(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let [s] = args else {
            return self.unsupported_fn(ScalarFn::UrlDecode, span);
        };
        self.notes.push(
            span,
            Effect::Values,
            "url_decode() is Splunk's urldecode(); neither documents how `+`, a malformed \
             `%` escape or escaped bytes that are not UTF-8 decode, so such text may decode \
             differently",
        );
        Some(Eval::call("urldecode", vec![self.expr(s)?]))
    }

    /// The text `s`, through a helper field unless it is a field already (it is read once per
    /// part).
    fn text_once(&mut self, s: &Expr) -> Option<Eval> {
        let u = self.expr(s)?;
        Some(match u {
            Eval::Field(_) => u,
            u => self.helper(u),
        })
    }

    /// `parse_url(s)` as a whole value ⇒ `json_object` of the parts [`URL_RE`] finds (null when
    /// it does not match), which paths then read with `json_extract`.
    pub(super) fn parse_url(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let [s] = args else {
            return self.unsupported_fn(ScalarFn::ParseUrl, span);
        };
        self.notes.push(
            span,
            Effect::Values,
            format!(
                "{URL_NOTE}; the object has no `{QUERY_PARAMETERS}` member (a path to it is \
                 refused), so its JSON text differs from KQL's"
            ),
        );
        let u = self.text_once(s)?;
        let mut members = Vec::new();
        for (name, group) in URL_PARTS {
            members.push(Eval::str(*name));
            members.push(Eval::call(
                "replace",
                vec![
                    u.clone(),
                    Eval::str(URL_RE),
                    Eval::Str(format!("\\{group}")),
                ],
            ));
        }
        Some(Eval::call(
            "if",
            vec![
                Eval::call("match", vec![u, Eval::str(URL_RE)]),
                Eval::call("json_object", members),
                Eval::call("null", vec![]),
            ],
        ))
    }

    /// `parse_url(s).Member` ⇒ that part of [`URL_RE`]'s match (null without a match or for a
    /// member KQL's object does not have). `Query Parameters` and longer paths are refused.
    pub(super) fn parse_url_path(
        &mut self,
        args: &[Expr],
        path: &[PathSegment],
        span: Span,
    ) -> Option<Eval> {
        let [s] = args else {
            return self.unsupported_fn(ScalarFn::ParseUrl, span);
        };
        let [PathSegment::Key(k)] = path else {
            return self.refuse_url_path(span);
        };
        if k == QUERY_PARAMETERS {
            return self.refuse_url_path(span);
        }
        self.notes.push(span, Effect::Values, URL_NOTE);
        let Some((_, group)) = URL_PARTS.iter().find(|(n, _)| n == k) else {
            return Some(Eval::call("null", vec![]));
        };
        let u = self.text_once(s)?;
        Some(Eval::call(
            "if",
            vec![
                Eval::call("match", vec![u.clone(), Eval::str(URL_RE)]),
                Eval::call(
                    "replace",
                    vec![u, Eval::str(URL_RE), Eval::Str(format!("\\{group}"))],
                ),
                Eval::call("null", vec![]),
            ],
        ))
    }

    /// A path into a column holding a `parse_url` object: `Query Parameters` is not in it.
    pub(super) fn check_url_path(&mut self, fp: &FieldPath, span: Span) -> Option<()> {
        if matches!(fp.path.first(), Some(PathSegment::Key(k)) if k == QUERY_PARAMETERS) {
            self.refuse_url_path(span)?;
        }
        Some(())
    }

    fn refuse_url_path<T>(&mut self, span: Span) -> Option<T> {
        self.refuse(
            SplCode::B013,
            span,
            "this parse_url() member is not supported by the SPL backend",
            "only Scheme, Host, Port, Path, Username, Password and Fragment are computed",
            "extract the query parameter with extract() and a regex",
        );
        None
    }

    /// `parse_ipv4(s)`: four octets `a.b.c.d` (0–255, no leading zeros) and an optional
    /// `/prefix` (0–32) ⇒ `a·2²⁴ + b·2¹⁶ + c·2⁸ + d` with the bits after the prefix cleared
    /// (`floor(n / 2^(32-p)) * 2^(32-p)`); other text is null, as KQL's failed conversion.
    /// The numbers come from helper fields: the five parts as a multivalue (null when the
    /// text does not match) and the block size `2^(32-p)`.
    pub(super) fn parse_ipv4(&mut self, args: &[Expr], span: Span) -> Option<Eval> {
        let [s] = args else {
            return self.unsupported_fn(ScalarFn::ParseIpv4, span);
        };
        self.notes.push(
            span,
            Effect::Values,
            "parse_ipv4() accepts four decimal octets 0-255 without leading zeros and an \
             optional /0-32 prefix; other spellings (leading zeros as in 010.1.1.1, fewer \
             parts, surrounding spaces) are null here, and KQL's parser does not document \
             whether it accepts them",
        );
        let u = self.expr(s)?;
        let num = |n: &str| Eval::Num(n.into());
        let parts = self.helper(Eval::call(
            "if",
            vec![
                Eval::call("match", vec![u.clone(), Eval::str(IPV4_RE)]),
                Eval::call(
                    "split",
                    vec![
                        Eval::call(
                            "replace",
                            vec![u, Eval::str(IPV4_RE), Eval::str("\\1,\\2,\\3,\\4,\\5")],
                        ),
                        Eval::str(","),
                    ],
                ),
                Eval::call("null", vec![]),
            ],
        ));
        let part = |k: &str| {
            Eval::call(
                "tonumber",
                vec![Eval::call("mvindex", vec![parts.clone(), num(k)])],
            )
        };
        let prefix = Eval::call("coalesce", vec![part("4"), num("32")]);
        let block = self.helper(Eval::call(
            "pow",
            vec![num("2"), Eval::bin(" - ", num("32"), prefix)],
        ));
        let address = Eval::bin(
            " + ",
            Eval::bin(
                " + ",
                Eval::bin(
                    " + ",
                    Eval::bin(" * ", part("0"), num("16777216")),
                    Eval::bin(" * ", part("1"), num("65536")),
                ),
                Eval::bin(" * ", part("2"), num("256")),
            ),
            part("3"),
        );
        Some(Eval::bin(
            " * ",
            Eval::call("floor", vec![Eval::bin(" / ", address, block.clone())]),
            block,
        ))
    }
}
