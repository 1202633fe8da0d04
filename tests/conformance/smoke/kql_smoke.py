"""Smoke test: duckdb-kql executes a Sentinel-style KQL query over JSON events.

Run with $KQLPORT_ORACLES/kql/bin/python. Prints one line: PASS/FAIL.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import duckdb_kql  # noqa: E402
from kql_oracle import load_events, run_dicts  # noqa: E402

EVENTS = [
    {"rid": 1, "InitiatingProcessFileName": "tor.exe", "RemotePort": 9001, "DeviceName": "pc1"},
    {"rid": 2, "InitiatingProcessFileName": "TOR.EXE", "RemotePort": 443, "DeviceName": "pc1"},
    {"rid": 3, "InitiatingProcessFileName": "Tor.exe", "DeviceName": "pc2"},  # RemotePort missing
    {"rid": 4, "InitiatingProcessFileName": "meek-client.exe", "RemotePort": 80, "DeviceName": "pc2"},
    {"rid": 5, "InitiatingProcessFileName": "MEEK-CLIENT.exe", "RemotePort": 443, "DeviceName": "pc3"},
    {"rid": 6, "InitiatingProcessFileName": "tortoise.exe", "RemotePort": 80, "DeviceName": "pc3"},
    {"rid": 7, "InitiatingProcessFileName": "mytor.exe", "RemotePort": 80, "DeviceName": "pc3"},
    {"rid": 8, "RemotePort": 80, "DeviceName": "pc4"},  # file name missing
    {"rid": 9, "InitiatingProcessFileName": "", "RemotePort": 22, "DeviceName": "pc4"},
    {"rid": 10, "InitiatingProcessFileName": "Meek-Client.EXE", "DeviceName": "pc4"},  # port missing
]
TYPES = {"rid": "long", "InitiatingProcessFileName": "string", "RemotePort": "int", "DeviceName": "string"}
QUERY = 'DeviceNetworkEvents | where InitiatingProcessFileName in~ ("tor.exe", "meek-client.exe") and RemotePort != 443'
# Kusto: in~ folds case; `!=` is true when RemotePort is null (missing), so 3 and 10 stay.
EXPECTED = {1, 3, 4, 10}


def main() -> int:
    con = duckdb_kql.connect()
    load_events(con, "DeviceNetworkEvents", EVENTS, TYPES)
    got = {r["rid"] for r in run_dicts(con, QUERY)}
    if got != EXPECTED:
        print(f"FAIL kql (duckdb-kql {duckdb_kql.__version__}): {QUERY} -> rids {sorted(got)}, expected {sorted(EXPECTED)}")
        return 1
    # And a negative: an unsupported operator must raise KqlUnsupportedError, never return rows.
    try:
        run_dicts(con, "DeviceNetworkEvents | evaluate bag_unpack(DeviceName)")
        print("FAIL kql: `evaluate` was expected to raise KqlUnsupportedError")
        return 1
    except duckdb_kql.KqlUnsupportedError:
        pass
    print(f"PASS kql: duckdb-kql {duckdb_kql.__version__} ran `{QUERY}` -> rids {sorted(got)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
