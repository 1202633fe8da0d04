//! Dynamic paths: JSON members and array indexes read with json_extract, parsed columns, paths
//! into computed or reshaped columns.

use super::*;

#[test]
fn array_indexes_read_the_raw_event_with_json_extract() {
    // A dynamic column is an object/array in the JSON event: one json_extract over _raw,
    // indexes from 0 as `{i}` after their key.
    let t = text(q(vec![ext(
        "T",
        segs("TargetResources", vec![ix(0), k("type")], false),
    )]));
    assert_eq!(
        tail(&t),
        "| eval T=json_extract(_raw, \"TargetResources{0}.type\")"
    );
    // Index after index, index first, and trailing index.
    let t = text(q(vec![ext(
        "T",
        segs("M", vec![ix(1), ix(2), k("a"), ix(3)], false),
    )]));
    assert_eq!(
        tail(&t),
        "| eval T=json_extract(json_extract(_raw, \"M{1}\"), \"{2}.a{3}\")"
    );
    // Keys that are not plain identifiers are taken literally with json_extract_exact.
    let t = text(q(vec![ext(
        "T",
        segs("AdditionalFields", vec![k("ACTOR.DEVICE")], false),
    )]));
    assert_eq!(
        tail(&t),
        "| eval T=json_extract_exact(json_extract(_raw, \"AdditionalFields\"), \"ACTOR.DEVICE\")"
    );
    let t = text(q(vec![ext(
        "T",
        segs("E", vec![ix(0), k("a \"b\""), k("c")], false),
    )]));
    assert_eq!(
        tail(&t),
        "| eval T=json_extract(json_extract_exact(json_extract(_raw, \"E{0}\"), \"a \\\"b\\\"\"), \"c\")"
    );
}

#[test]
fn parsed_paths_parse_at_every_step() {
    // parse_json(tostring(...)) may sit anywhere along the path: one json_extract per step, so
    // a string holding JSON text is parsed where met; the column itself comes from _raw.
    let t = text(q(vec![ext(
        "V",
        segs(
            "TargetResources",
            vec![ix(0), k("modifiedProperties"), ix(1), k("newValue")],
            true,
        ),
    )]));
    assert_eq!(
        tail(&t),
        "| eval V=json_extract(json_extract(json_extract(json_extract(json_extract(_raw, \
         \"TargetResources\"), \"{0}\"), \"modifiedProperties\"), \"{1}\"), \"newValue\")"
    );
    // parse_json(X) as a whole value is X's JSON from the event.
    let t = text(q(vec![ext("AF", segs("AdditionalFields", vec![], true))]));
    assert_eq!(
        tail(&t),
        "| eval AF=json_extract(_raw, \"AdditionalFields\")"
    );
}

#[test]
fn paths_into_computed_or_reshaped_columns() {
    // A column computed by extend holds JSON text: read it with json_extract on the field.
    let t = text(q(vec![
        ext("AF", segs("AdditionalFields", vec![], true)),
        ext("X", segs("AF", vec![k("a"), ix(0), k("Client IP")], false)),
    ]));
    assert_eq!(
        tail(&t),
        "| eval AF=json_extract(_raw, \"AdditionalFields\")\n\
         | eval X=json_extract_exact(json_extract(AF, \"a{0}\"), \"Client IP\")"
    );
    // A renamed event column is still read from _raw under its old name.
    let t = text(q(vec![
        stage(StageKind::Rename(vec![(col("TR"), col("TargetResources"))])),
        ext("X", segs("TR", vec![ix(0), k("id")], false)),
    ]));
    assert_eq!(
        tail(&t),
        "| rename TargetResources AS TR\n| eval X=json_extract(_raw, \"TargetResources{0}.id\")"
    );
    // After project, _raw is gone: a parsed string column is read from its field ...
    let t = text(q(vec![
        stage(StageKind::Project(vec![assign("D", field("D"))])),
        ext("M", segs("D", vec![ix(1), k("m")], true)),
    ]));
    assert_eq!(
        tail(&t),
        "| table D\n| eval M=json_extract(json_extract(D, \"{1}\"), \"m\")"
    );
    // ... while an index into a dynamic column can no longer be read.
    let query = q(vec![
        stage(StageKind::Aggregate {
            by: vec![key("D")],
            aggs: vec![agg("n", AggFunc::Count)],
        }),
        ext("M", segs("X", vec![ix(1)], false)),
    ]);
    assert_eq!(declined(query), vec![("B013", 5, 9)]);
    // Negative indexes (from the end): the array's elements as a multivalue, by mvindex.
    let t = text(q(vec![ext(
        "M",
        segs("X", vec![k("a"), ix(-1), k("id"), ix(0)], false),
    )]));
    assert_eq!(
        tail(&t),
        "| eval M=json_extract(mvindex(json_array_to_mv(json_extract(_raw, \"X.a\")), -1), \"id{0}\")"
    );
    // An empty key has no json_extract spelling.
    let query = q(vec![ext("M", segs("X", vec![k("")], false))]);
    assert_eq!(declined(query), vec![("B013", 5, 9)]);
}

#[test]
fn a_member_of_a_string_column_is_declined() {
    // Issue 11 class 4: `FileName` is a string column of DeviceProcessEvents (JSON text at
    // most): KQL has no member of a string, Splunk's JSON extraction no field for it.
    let query = q(vec![ext("x", segs("FileName", vec![k("a")], false))]);
    assert_eq!(declined(query), vec![("B013", 5, 9)]);
    // parse_json(FileName).a reads the text: json_extract from the event's JSON.
    let t = text(q(vec![ext("x", segs("FileName", vec![k("a")], true))]));
    assert!(
        t.ends_with("| eval x=json_extract(json_extract(_raw, \"FileName\"), \"a\")\n"),
        "{t}"
    );
}

#[test]
fn a_projected_dynamic_column_is_read_as_json_text() {
    // Issue 15 class 7: Splunk's JSON extraction names only leaves (`LocationDetails.city`), so
    // a projected dynamic column is read from the event.
    let mut query = q(vec![project(&["LocationDetails", "UserPrincipalName"])]);
    query.source.kind = SourceKind::Table("SigninLogs".into());
    let (t, notes) = approx(query);
    assert!(
        t.ends_with(
            "| eval LocationDetails=json_extract(_raw, \"LocationDetails\")\n| table LocationDetails UserPrincipalName\n"
        ),
        "{t}"
    );
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].2, Effect::Values);
}
