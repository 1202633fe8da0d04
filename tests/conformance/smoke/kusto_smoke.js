#!/usr/bin/env node
// Smoke test: Kusto.Language analyses KQL against declared table schemas (via kusto_check.js).
// Prints one line: PASS/FAIL.
"use strict";
let kc;
try {
  kc = require("./kusto_check.js");
} catch (e) {
  console.log(`FAIL kusto: cannot load @kusto/language-service-next (${e.message.split("\n")[0]}); run setup-oracles.sh`);
  process.exit(1);
}

const tables = {
  DeviceNetworkEvents: {
    TimeGenerated: "datetime", DeviceName: "string", InitiatingProcessFileName: "string",
    RemotePort: "int", RemoteIP: "string", AdditionalFields: "dynamic",
  },
};
const good = 'DeviceNetworkEvents | where InitiatingProcessFileName in~ ("tor.exe", "meek-client.exe") and RemotePort != 443 ' +
  "| summarize c = dcount(RemoteIP) by DeviceName";
const unknownColumn = 'DeviceNetworkEvents | where InitiatingProcesFileName =~ "tor.exe"';
const badSyntax = 'DeviceNetworkEvents | wher RemotePort == 443';

const failures = [];
const g = kc.check({ query: good, tables });
if (!g.ok || g.syntax.length + g.semantic.length !== 0) failures.push(`good query got diagnostics ${JSON.stringify(g)}`);
const want = [{ name: "DeviceName", type: "string" }, { name: "c", type: "long" }];
if (JSON.stringify(g.columns) !== JSON.stringify(want)) failures.push(`output schema ${JSON.stringify(g.columns)}`);
const u = kc.check({ query: unknownColumn, tables });
if (u.ok || u.syntax.length !== 0 || !u.semantic.some((d) => d.code === "KS142")) {
  failures.push(`unknown column not reported as semantic KS142: ${JSON.stringify(u)}`);
}
const b = kc.check({ query: badSyntax, tables });
if (b.ok || b.syntax.length === 0) failures.push(`syntax error not reported: ${JSON.stringify(b)}`);

if (failures.length) {
  console.log(`FAIL kusto: @kusto/language-service-next ${kc.version}: ${failures.join("; ")}`);
  process.exit(1);
}
console.log(`PASS kusto: @kusto/language-service-next ${kc.version}: good query 0 diagnostics -> ` +
  `${g.columns.map((c) => c.name + ":" + c.type).join(", ")}; unknown column -> ${u.semantic.map((d) => d.code).join(",")} ` +
  `"${u.semantic[0].message}"; bad syntax -> ${b.syntax.length} syntax diagnostics`);
