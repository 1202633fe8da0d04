#!/usr/bin/env node
// Syntax + semantic check of KQL with Microsoft's Kusto.Language (@kusto/language-service-next).
//
// stdin:  {"query": "...", "tables": {"DeviceNetworkEvents": {"RemotePort": "int", ...}},
//          "database": "db", "functions": [{"name", "params", "body"}]}   (both optional)
//     or  an array of such objects (one node start-up for many queries; ~0.3 s per start-up).
// stdout: {"ok": bool, "errors": n, "syntax": [diag], "semantic": [diag],
//          "columns": [{"name", "type"}] | null}   (or an array of those)
//   diag = {"code": "KS142", "severity": "Error", "message": "...", "start": 28, "length": 4}
//   ok = no diagnostic of severity Error; columns = the query's output schema when it is tabular.
// Exit status: 0 when every query is ok, 1 when one is not, 2 on bad input.
//
// Column types are Kusto scalar type names: string, int, long, real, decimal, bool,
// datetime, timespan, guid, dynamic. The package is found under
// $KQLPORT_ORACLES/node (default <repo>/.oracles/node).
"use strict";
const path = require("path");
const fs = require("fs");

function loadKusto() {
  const oracles = process.env.KQLPORT_ORACLES || path.resolve(__dirname, "..", "..", "..", ".oracles");
  const pkg = path.join(oracles, "node", "node_modules", "@kusto", "language-service-next");
  // Bridge.NET output: bridge.js defines the runtime (System, Bridge) as globals, then the
  // library defines the global `Kusto`. Neither exports anything.
  require(path.join(pkg, "bridge.js"));
  require(path.join(pkg, "Kusto.Language.Bridge.js"));
  return { Kusto: global.Kusto, version: require(path.join(pkg, "package.json")).version };
}

const { Kusto, version } = loadKusto();
const L = Kusto.Language;
const S = L.Symbols;

// .NET lists come back as IReadOnlyList: .Count and .getItem(i).
function toArray(list) {
  const out = [];
  if (!list) return out;
  for (let i = 0; i < list.Count; i++) out.push(list.getItem(i));
  return out;
}

function globalsFor(tables, database, functions) {
  const syms = Object.entries(tables || {}).map(([name, cols]) => {
    const schema = "(" + Object.entries(cols).map(([c, t]) => `['${c.replace(/'/g, "\\'")}']:${t}`).join(", ") + ")";
    return new S.TableSymbol.$ctor7(name, schema, null);
  });
  // Database functions (an ASIM parser): {name, params: "(a:type=default, ...)", body: "{ ... }"}.
  for (const f of functions || []) {
    syms.push(new S.FunctionSymbol.$ctor16(f.name, f.params, f.body, null));
  }
  const db = new S.DatabaseSymbol.$ctor3(database || "db", null, syms, false);
  return L.GlobalState.Default.WithDatabase(db);
}

function diag(d) {
  return { code: d.Code, severity: d.Severity, message: d.Message, start: d.Start, length: d.Length };
}

function check(req) {
  if (!req || typeof req.query !== "string") throw new Error("each request needs a string `query`");
  const code = L.KustoCode.ParseAndAnalyze(req.query, globalsFor(req.tables, req.database, req.functions));
  const syntax = toArray(code.GetSyntaxDiagnostics()).map(diag);
  const key = (d) => `${d.code}@${d.start}+${d.length}:${d.message}`;
  const seen = new Set(syntax.map(key));
  const semantic = toArray(code.GetDiagnostics()).map(diag).filter((d) => !seen.has(key(d)));
  const errors = syntax.concat(semantic).filter((d) => d.severity === "Error").length;
  let columns = null;
  const rt = code.ResultType;
  if (rt && rt.Columns) {
    columns = toArray(rt.Columns).map((c) => ({ name: c.Name, type: c.Type ? c.Type.Name : null }));
  }
  return { ok: errors === 0, errors, syntax, semantic, columns };
}

function main() {
  let input;
  try {
    input = JSON.parse(fs.readFileSync(0, "utf8"));
  } catch (e) {
    process.stderr.write(`kusto_check: stdin is not JSON: ${e.message}\n`);
    return 2;
  }
  let out;
  try {
    out = Array.isArray(input) ? input.map(check) : check(input);
  } catch (e) {
    process.stderr.write(`kusto_check: ${e.message}\n`);
    return 2;
  }
  process.stdout.write(JSON.stringify(out) + "\n");
  const all = Array.isArray(out) ? out : [out];
  return all.every((r) => r.ok) ? 0 : 1;
}

module.exports = { check, version };
if (require.main === module) process.exitCode = main();
