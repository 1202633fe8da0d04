//! The corpus of translatable test rules: one entry per IR construct the backend maps, shared by
//! the snapshot test and the dump-for-validation test. Never asserts anything itself.

use crate::common::*;
use kqlport::backend::RuleContext;
use kqlport::ir::*;

pub struct RuleCase {
    pub name: &'static str,
    pub rule: RuleContext,
    pub query: Query,
}

fn case(name: &'static str, query: Query) -> RuleCase {
    RuleCase {
        name,
        rule: RuleContext {
            id: Some(format!("kqlport-test-{name}")),
            name: Some(format!("kqlport test {name}")),
            ..ctx()
        },
        query,
    }
}

pub fn all() -> Vec<RuleCase> {
    let mut out = vec![
        RuleCase {
            name: "tor_issue_example",
            rule: ctx(),
            query: tor_query(),
        },
        case(
            "eq_case_insensitive",
            where_(
                "SigninLogs",
                eq_ci("UserPrincipalName", &["Admin@Contoso.com"]),
            ),
        ),
        case(
            "eq_case_sensitive_list",
            where_(
                "SecurityEvent",
                eq_cs("Account", &["NT AUTHORITY\\SYSTEM", "LOCAL SERVICE"]),
            ),
        ),
        case(
            "ne_case_sensitive",
            where_("SecurityEvent", ne_cs("Account", "SYSTEM")),
        ),
        case(
            "contains_family",
            where_(
                "DeviceProcessEvents",
                and(vec![
                    contains("ProcessCommandLine", "-enc"),
                    sm_q(
                        "FolderPath",
                        MatchKind::StartsWith,
                        Case::Insensitive,
                        &["C:\\Users\\"],
                        Quantifier::Any,
                        false,
                    ),
                    sm_q(
                        "FileName",
                        MatchKind::EndsWith,
                        Case::Sensitive,
                        &[".ps1", ".vbs"],
                        Quantifier::Any,
                        false,
                    ),
                    sm_q(
                        "ProcessCommandLine",
                        MatchKind::Contains,
                        Case::Insensitive,
                        &["invoke", "webrequest"],
                        Quantifier::All,
                        false,
                    ),
                ]),
            ),
        ),
        case(
            "not_contains",
            where_(
                "DeviceProcessEvents",
                sm_q(
                    "ProcessCommandLine",
                    MatchKind::Contains,
                    Case::Insensitive,
                    &["teams"],
                    Quantifier::Any,
                    true,
                ),
            ),
        ),
        case(
            "has_term",
            where_("DeviceProcessEvents", has("ProcessCommandLine", &["tor"])),
        ),
        case(
            "has_any_cs",
            where_(
                "DeviceProcessEvents",
                sm_q(
                    "ProcessCommandLine",
                    MatchKind::Term,
                    Case::Sensitive,
                    &["cmd.exe", "a+b"],
                    Quantifier::Any,
                    false,
                ),
            ),
        ),
        case(
            "has_all",
            where_(
                "DeviceProcessEvents",
                sm_q(
                    "ProcessCommandLine",
                    MatchKind::Term,
                    Case::Insensitive,
                    &["net", "user"],
                    Quantifier::All,
                    false,
                ),
            ),
        ),
        case(
            "not_has",
            where_(
                "DeviceProcessEvents",
                sm_q(
                    "ProcessCommandLine",
                    MatchKind::Term,
                    Case::Insensitive,
                    &["svchost"],
                    Quantifier::Any,
                    true,
                ),
            ),
        ),
        case(
            "hasprefix_hassuffix",
            where_(
                "DeviceProcessEvents",
                or(vec![
                    sm_q(
                        "FileName",
                        MatchKind::TermPrefix,
                        Case::Insensitive,
                        &["mimi"],
                        Quantifier::Any,
                        false,
                    ),
                    sm_q(
                        "FileName",
                        MatchKind::TermSuffix,
                        Case::Sensitive,
                        &["katz"],
                        Quantifier::Any,
                        false,
                    ),
                ]),
            ),
        ),
        case(
            "regex",
            where_(
                "DeviceProcessEvents",
                and(vec![
                    sm_q(
                        "ProcessCommandLine",
                        MatchKind::Regex,
                        Case::Sensitive,
                        &[r"\s-[eE]nc(odedCommand)?\s"],
                        Quantifier::Any,
                        false,
                    ),
                    sm_q(
                        "FileName",
                        MatchKind::Regex,
                        Case::Sensitive,
                        &[r"(?i)^powershell(_ise)?\.exe$"],
                        Quantifier::Any,
                        false,
                    ),
                ]),
            ),
        ),
        case(
            "empty_and_nonempty",
            where_(
                "SigninLogs",
                and(vec![
                    p(PredicateKind::IsEmpty {
                        expr: field("ConditionalAccessStatus"),
                        negated: false,
                    }),
                    p(PredicateKind::IsEmpty {
                        expr: field("UserAgent"),
                        negated: true,
                    }),
                ]),
            ),
        ),
        case(
            "eq_empty_string",
            where_("SigninLogs", eq_cs("ResultType", &["", "0"])),
        ),
        case(
            "numbers",
            where_(
                "DeviceNetworkEvents",
                and(vec![
                    cmp(field("RemotePort"), CmpOp::Gt, long(1024)),
                    cmp(long(65000), CmpOp::Ge, field("RemotePort")),
                    p(PredicateKind::InSet {
                        expr: field("LocalPort"),
                        values: vec![Literal::Long(80), Literal::Long(8080)],
                        negated: false,
                    }),
                    p(PredicateKind::Between {
                        expr: field("BytesSent"),
                        low: long(10),
                        high: e(ExprKind::Literal(Literal::Real(2.5e6))),
                        negated: false,
                    }),
                ]),
            ),
        ),
        case(
            "not_in_numbers",
            where_(
                "DeviceNetworkEvents",
                p(PredicateKind::InSet {
                    expr: field("RemotePort"),
                    values: vec![Literal::Long(80), Literal::Long(443)],
                    negated: true,
                }),
            ),
        ),
        case(
            "or_not_precedence",
            where_(
                "DeviceProcessEvents",
                or(vec![
                    and(vec![
                        eq_ci("FileName", &["a.exe"]),
                        eq_ci("AccountName", &["bob"]),
                    ]),
                    not(or(vec![
                        contains("FolderPath", "temp"),
                        cmp(field("ProcessId"), CmpOp::Eq, long(4)),
                    ])),
                ]),
            ),
        ),
        case(
            "negated_orderings",
            where_(
                "DeviceNetworkEvents",
                and(vec![
                    not(cmp(field("RemotePort"), CmpOp::Gt, long(1024))),
                    p(PredicateKind::Between {
                        expr: field("BytesSent"),
                        low: long(10),
                        high: long(20),
                        negated: true,
                    }),
                    not(p(PredicateKind::Bool(field("IsLocal")))),
                ]),
            ),
        ),
        case(
            "fieldref",
            where_(
                "SigninLogs",
                cmp(
                    field("UserPrincipalName"),
                    CmpOp::Ne,
                    field("AlternateSignInName"),
                ),
            ),
        ),
        case(
            "cidr_and_bool",
            where_(
                "DeviceNetworkEvents",
                and(vec![
                    not(p(PredicateKind::Bool(e(ExprKind::Call {
                        func: ScalarFn::Ipv4IsPrivate,
                        args: vec![field("RemoteIP")],
                    })))),
                    p(PredicateKind::Bool(e(ExprKind::Call {
                        func: ScalarFn::Ipv4IsInRange,
                        args: vec![field("LocalIP"), string("10.1.0.0/16")],
                    }))),
                    p(PredicateKind::Bool(field("IsAzureADJoined"))),
                ]),
            ),
        ),
        case(
            "dynamic_path",
            where_(
                "AuditLogs",
                p(PredicateKind::StrMatch(StrMatch {
                    field: path("TargetResources", &["userPrincipalName"], false),
                    kind: MatchKind::EndsWith,
                    case: Case::Insensitive,
                    values: vec!["@contoso.com".into()],
                    quantifier: Quantifier::Any,
                    negated: false,
                })),
            ),
        ),
        case(
            "json_text_path",
            where_(
                "AuditLogs",
                p(PredicateKind::StrMatch(StrMatch {
                    field: path("AdditionalFields", &["Client", "Name"], true),
                    kind: MatchKind::Equals,
                    case: Case::Insensitive,
                    values: vec!["curl".into()],
                    quantifier: Quantifier::Any,
                    negated: false,
                })),
            ),
        ),
        case(
            "project_fields",
            query(
                "SigninLogs",
                vec![
                    filter(at(eq_ci("AppDisplayName", &["Azure Portal"]), 20, 50)),
                    project(&["TimeGenerated", "UserPrincipalName", "IPAddress"]),
                ],
            ),
        ),
        case(
            "correlation_event_count",
            query(
                "SigninLogs",
                vec![
                    filter(at(
                        and(vec![
                            at(time_window(1), 10, 30),
                            eq_cs("ResultType", &["50126"]),
                        ]),
                        10,
                        60,
                    )),
                    count_by(&["IPAddress"], AggFunc::Count, "count_"),
                    filter(at(cmp(field("count_"), CmpOp::Gt, long(20)), 150, 170)),
                ],
            ),
        ),
        case(
            "correlation_value_count",
            query(
                "SigninLogs",
                vec![
                    filter(eq_cs("ResultType", &["50126"])),
                    count_by(
                        &["IPAddress"],
                        AggFunc::DCount(field("UserPrincipalName")),
                        "dcount_UserPrincipalName",
                    ),
                    filter(and(vec![
                        cmp(field("dcount_UserPrincipalName"), CmpOp::Ge, long(10)),
                        ne_cs("IPAddress", "127.0.0.1"),
                    ])),
                ],
            ),
        ),
        case(
            "injection_values",
            where_(
                "SecurityEvent",
                or(vec![
                    eq_cs(
                        "CommandLine",
                        &[
                            "a\" OR 1=1 | delete",
                            "C:\\Windows\\",
                            "*",
                            "?",
                            "%x%",
                            "_",
                            "line\nbreak",
                            "\\\"",
                            "ünï©ødé",
                            "it's",
                            "\\*",
                            "- item",
                            "#c",
                            "yes",
                            "null",
                            "1e3",
                        ],
                    ),
                    contains("CommandLine", "a|b: c # d"),
                    has("CommandLine", &["x.y*z(?)"]),
                ]),
            ),
        ),
    ];
    // No rule id: the id derives from the source name and the query.
    out.push(RuleCase {
        name: "no_rule_id",
        rule: RuleContext {
            id: None,
            name: None,
            description: None,
            severity: None,
            tactics: vec!["CredentialAccess".into(), "PreAttack".into()],
            techniques: vec![],
            query_period: None,
            query_frequency: None,
            source_name: Some("hunting/x.kql".into()),
            references: vec![
                "https://example.com/a".into(),
                "https://example.com/a".into(),
            ],
        },
        query: where_("SigninLogs", eq_ci("AppDisplayName", &["Azure Portal"])),
    });
    out
}
