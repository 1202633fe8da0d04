//! A pipeline file's shape as serde reads it from YAML: keys in file order with their
//! locations, scalars as text. Checking it and building the [`super::Pipeline`] is `load.rs`'s.
//! Depends on serde and serde-saphyr only, because the build script reads the built-in
//! pipelines through this same module (`build.rs`) and compiles them in.

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};
use serde_saphyr::Spanned;
use std::fmt;

/// A YAML mapping kept in file order, keys with their locations.
pub struct Ordered<V>(pub Vec<(Spanned<String>, Spanned<V>)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Ordered<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V2<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for V2<V> {
            type Value = Ordered<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = map.next_key::<Spanned<Scalar>>()? {
                    let key = Spanned::new(k.value.text(), k.referenced, k.defined);
                    out.push((key, map.next_value()?));
                }
                Ok(Ordered(out))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Ordered(Vec::new()))
            }
        }
        d.deserialize_map(V2(std::marker::PhantomData))
    }
}

/// A YAML scalar as text (`2`, `true` and `x` are all values a vocabulary may hold).
#[derive(Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Scalar {
    pub fn text(self) -> String {
        match self {
            Scalar::Str(s) => s,
            Scalar::Int(n) => n.to_string(),
            Scalar::Float(x) => x.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(Scalar),
    Many(Vec<Scalar>),
}

impl OneOrMany {
    /// The values, as text.
    pub fn texts(self) -> Vec<String> {
        match self {
            OneOrMany::One(v) => vec![v.text()],
            OneOrMany::Many(vs) => vs.into_iter().map(Scalar::text).collect(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    pub name: Option<String>,
    pub description: Option<String>,
    pub unmapped: Option<Spanned<String>>,
    pub unmapped_tables: Option<Spanned<String>>,
    pub tables: Option<Ordered<RawTable>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTable {
    pub from: Option<String>,
    pub splunk: Option<RawSplunk>,
    pub elastic_index: Option<String>,
    pub eql_category: Option<String>,
    pub logsource: Option<RawLogsource>,
    #[serde(rename = "where")]
    pub conditions: Option<Ordered<OneOrMany>>,
    pub fields: Option<Ordered<RawField>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSplunk {
    pub index: Option<String>,
    pub sourcetype: Option<String>,
    pub source: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLogsource {
    pub product: Option<String>,
    pub category: Option<String>,
    pub service: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub enum RawField {
    Plain(String),
    Full(RawFieldFull),
}

impl RawField {
    /// The long form (`Plain(f)` is `{field: f}`).
    pub fn full(self) -> RawFieldFull {
        match self {
            RawField::Plain(field) => RawFieldFull {
                field,
                note: None,
                effect: None,
                values: None,
                lowercase: None,
                others: None,
                basename: None,
            },
            RawField::Full(f) => f,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFieldFull {
    pub field: String,
    pub note: Option<String>,
    pub effect: Option<String>,
    pub values: Option<Ordered<Scalar>>,
    pub lowercase: Option<bool>,
    pub others: Option<String>,
    pub basename: Option<bool>,
}

/// A field key (`LocationDetails.city`) as column and path into it.
pub fn split_key(key: &str) -> (String, Vec<String>) {
    let mut parts = key.split('.');
    let column = parts.next().unwrap_or_default().to_string();
    (column, parts.map(str::to_string).collect())
}
