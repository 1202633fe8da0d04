//! The serde model of a Microsoft Sentinel analytic rule or hunting query (the YAML fields of
//! the Azure-Sentinel repository's templates). Plain data only: it never reads text, checks KQL,
//! or interprets durations; unknown keys are kept, in order, in `extra`.

use super::value::Value;
use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize};

/// Every documented field of a Sentinel analytic-rule / hunting-query YAML file. All fields are
/// optional (hunting queries have no severity or schedule; real files omit much); keys the model
/// does not know are kept in [`Rule::extra`] in file order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_string"
    )]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Used instead of `name` by some hunting-query and solution formats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `Informational`, `Low`, `Medium` or `High` (absent in hunting queries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_data_connectors: Option<Vec<DataConnector>>,
    /// ISO-8601-ish Sentinel duration such as `5m`, `1h`, `14d`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_frequency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_period: Option<String>,
    /// `gt`, `lt`, `eq`, `ne` (spelled variously in real files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger_operator: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger_threshold: Option<NumberOrString>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "string_list"
    )]
    pub tactics: Option<Vec<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "string_list"
    )]
    pub relevant_techniques: Option<Vec<String>>,
    /// Legacy spelling of `relevantTechniques`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "string_list"
    )]
    pub techniques: Option<Vec<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "string_list"
    )]
    pub sub_techniques: Option<Vec<String>>,
    /// The KQL text, decoded (also available with its file position as an `EmbeddedQuery`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_mappings: Option<Vec<EntityMapping>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentinel_entities_mappings: Option<Vec<SentinelEntityMapping>>,
    /// Custom detail name → result column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_details: Option<IndexMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_details_override: Option<AlertDetailsOverride>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident_configuration: Option<IncidentConfiguration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_grouping_settings: Option<EventGroupingSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression_duration: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<NumberOrString>,
    /// `Scheduled`, `NRT`, `MicrosoftSecurityIncidentCreation`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// `Available`, `Deprecated`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    /// Solution metadata (source, author, support, categories): kept as a value tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    /// Keys the model does not know, in file order; also keys whose value did not fit the model
    /// (the loader warns about those with `Y004`).
    #[serde(flatten)]
    pub extra: IndexMap<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataConnector {
    /// One connector id, or (in a few real files) a list of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connector_id: Option<OneOrMany>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "string_list"
    )]
    pub data_types: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: IndexMap<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityMapping {
    /// `Account`, `Host`, `IP`, `URL`, `FileHash`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_type: Option<String>,
    #[serde(default)]
    pub field_mappings: Vec<FieldMapping>,
    #[serde(flatten)]
    pub extra: IndexMap<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldMapping {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column_name: Option<String>,
    #[serde(flatten)]
    pub extra: IndexMap<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SentinelEntityMapping {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column_name: Option<String>,
    #[serde(flatten)]
    pub extra: IndexMap<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertDetailsOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_display_name_format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_description_format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_tactics_column_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_severity_column_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_dynamic_properties: Option<Vec<AlertDynamicProperty>>,
    #[serde(flatten)]
    pub extra: IndexMap<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertDynamicProperty {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_property: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(flatten)]
    pub extra: IndexMap<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncidentConfiguration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create_incident: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grouping_configuration: Option<GroupingConfiguration>,
    #[serde(flatten)]
    pub extra: IndexMap<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupingConfiguration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reopen_closed_incident: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookback_duration: Option<String>,
    /// `AllEntities`, `AnyAlert`, `Selected`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matching_method: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "string_list"
    )]
    pub group_by_entities: Option<Vec<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "string_list"
    )]
    pub group_by_alert_details: Option<Vec<String>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "string_list"
    )]
    pub group_by_custom_details: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: IndexMap<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventGroupingSettings {
    /// `SingleAlert` or `AlertPerResult`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aggregation_kind: Option<String>,
    #[serde(flatten)]
    pub extra: IndexMap<String, Value>,
}

/// A field real files spell both as a number and as a string (`triggerThreshold`, `version`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum NumberOrString {
    Int(i64),
    Float(f64),
    String(String),
}

/// One string or a list of strings (`connectorId` in a few real files).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// A rule tag: a plain string, or a mapping such as `{Schema: ASimDns, SchemaVersion: 0.1.1}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Tag {
    Name(String),
    Map(IndexMap<String, Value>),
}

/// A list of strings, leniently: `null` is absent, a lone string is a one-element list, `null`
/// items are dropped and numbers or booleans are spelled as text.
fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    use serde::de::Error;
    let items = match Value::deserialize(d)? {
        Value::Null => return Ok(None),
        Value::Seq(items) => items,
        one => vec![one],
    };
    items
        .into_iter()
        .filter(|v| *v != Value::Null)
        .map(|v| match v {
            Value::String(s) => Ok(s),
            Value::Bool(_) | Value::Int(_) | Value::Float(_) => Ok(v.to_flow()),
            other => Err(D::Error::custom(format!(
                "expected a list of strings, found {} in the list",
                other.kind_name()
            ))),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// A string, leniently: `null` is absent and a number or boolean is spelled as text.
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    use serde::de::Error;
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        v @ (Value::Bool(_) | Value::Int(_) | Value::Float(_)) => Ok(Some(v.to_flow())),
        other => Err(D::Error::custom(format!(
            "expected a string, found {}",
            other.kind_name()
        ))),
    }
}
