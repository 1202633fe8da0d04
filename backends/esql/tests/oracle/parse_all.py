"""Parse every ES|QL query the kqlport-esql unit tests emit with Elastic's own parser
(detection-rules-esql-py), then analyse it against a schema of the test fields.

Usage: KQLPORT_ESQL_DUMP=/tmp/q.txt cargo test -p kqlport-esql
       python parse_all.py /tmp/q.txt        # python >= 3.12 with detection-rules-esql-py
Records in the dump end with a line `%%%%`. Exit status 1 if any query fails.
"""

import sys

import esql

# Types of every column the unit tests reference (Sentinel names, Elastic types).
FIELDS = {
    "A": "keyword", "B": "keyword", "C": "keyword", "F": "keyword", "Raw": "keyword",
    "Process Name": "keyword", "ProcessName": "keyword", "CommandLine": "keyword",
    "AccountName": "keyword", "Account": "keyword", "Host": "keyword", "DeviceName": "keyword",
    "ExtraA": "keyword", "TimeGenerated": "date", "RemotePort": "integer", "Port": "integer",
    "EventID": "integer", "RemoteIP": "ip", "IPAddress": "keyword", "Bytes": "long",
    "ResultType": "keyword", "AppDisplayName": "keyword", "UserPrincipalName": "keyword",
    "RiskLevel": "keyword", "DeviceDetail.operatingSystem": "keyword",
    "AdditionalFields.a.Account Name": "keyword", "TargetResources.displayName": "keyword",
    "Claims.appid": "keyword", "Claims.name": "keyword", "InitiatedBy.user": "keyword",
    "InitiatedBy.user.upn": "keyword", "Cmd": "keyword", "Users": "keyword",
    "S": "keyword", "Msg": "keyword", "U": "keyword", "V": "keyword", "Name": "keyword",
    "Other": "keyword", "X.m.v": "keyword", "D": "keyword", "K": "integer", "N": "integer",
    "P": "keyword", "Entities": "keyword", "UAC": "keyword", "T": "date", "T0": "date",
    "T1": "date",
}


def main(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        records = [r for r in f.read().split("%%%%\n") if r.strip()]
    unique = list(dict.fromkeys(records))
    parsed = analysed = 0
    failures = []
    for q in unique:
        try:
            tree = esql.parse_query(q)
            parsed += 1
        except Exception as e:  # noqa: BLE001 - report every failure
            failures.append(("parse", q, e))
            continue
        try:
            esql.analyze(tree, esql.Schema(FIELDS))
            analysed += 1
        except Exception as e:  # noqa: BLE001
            failures.append(("schema", q, e))
    print(f"{len(records)} emitted, {len(unique)} distinct, {parsed} parsed, {analysed} passed schema analysis")
    for kind, q, e in failures:
        print(f"--- {kind} failure: {type(e).__name__}: {e}\n{q}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
