//! mv-expand in ES|QL: `MV_EXPAND` of one column of the index, with its notes, and the forms
//! an index cannot hold (objects read by path, several columns, positions, JSON text).

use kqlport::backend::{Effect, Fidelity, Translation};
use kqlport::diag::Diagnostic;

fn translate(q: &str) -> Result<Translation, Vec<Diagnostic>> {
    kqlport::test_support::translate(&kqlport_esql::Esql, q)
}

fn codes(q: &str) -> Vec<String> {
    match translate(q) {
        Ok(t) => panic!("{q} translated: {}", t.text),
        Err(e) => e.into_iter().map(|d| d.code.as_str().to_string()).collect(),
    }
}

#[test]
fn a_column_of_scalars_is_mv_expand_with_its_differences_noted() {
    let t = translate("T_CL | mv-expand ip = Ips | project ip").unwrap();
    assert!(
        t.text.contains("| EVAL ip = Ips\n| MV_EXPAND ip\n"),
        "{}",
        t.text
    );
    let Fidelity::Approximate(notes) = t.fidelity else {
        panic!("exact")
    };
    let effects: Vec<Effect> = notes.iter().map(|n| n.effect).collect();
    assert!(effects.contains(&Effect::OverMatch)); // an empty array keeps its row
    assert!(effects.contains(&Effect::UnderMatch)); // keyword values are deduplicated
}

#[test]
fn what_the_index_cannot_hold_is_declined() {
    // objects: their leaf fields no longer say which values belong together
    assert_eq!(
        codes("T_CL | mv-expand t = Targets | extend n = tostring(t.name)"),
        ["B070"]
    );
    assert_eq!(codes("T_CL | mv-expand a, b"), ["B070"]);
    assert_eq!(codes("T_CL | mv-expand with_itemindex=i a"), ["B070"]);
    assert_eq!(codes("T_CL | mv-expand todynamic(s)"), ["B070"]);
    assert_eq!(codes("T_CL | mv-expand x = pack_array(a, b)"), ["B070"]);
}
