// insight_duckdb.mjs — the peer of bench/insight.sh: DuckDB (npm @duckdb/node-api, in
// tests/node_modules) computes the dashboards' two heaviest figures from an export of the same
// data: population by commune × age band × sex (living people, ages in the year YEAR, 5-year
// bands, 80 and over together) and guest nights by commune × month (each stay's nights from its
// arrival day). Usage: node bench/insight_duckdb.mjs PEOPLE.csv STAYS.csv YEAR ROUNDS
// Prints one JSON line: load_ms (reading both CSV files into tables), full_ms (both figures from
// the loaded tables: DuckDB's full recomputation, the median of three), and the p50/p99 in ms of ROUNDS runs of the
// dashboard's request (one province's population table and one year of guest nights by month),
// with the row counts so the two sides can be compared.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(path.join(path.dirname(fileURLToPath(import.meta.url)), '../tests/package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const [peopleCsv, staysCsv, year, rounds = '200'] = process.argv.slice(2);
const inst = await DuckDBInstance.create(':memory:');
const con = await inst.connect();
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;

let t = process.hrtime.bigint();
await con.run(`CREATE TABLE people AS SELECT * FROM read_csv('${peopleCsv}', header = true, all_varchar = false)`);
await con.run(`CREATE TABLE stays AS SELECT * FROM read_csv('${staysCsv}', header = true, all_varchar = false)`);
const loadMs = ms(t);

const population = `SELECT province, commune, LEAST(80, ((${year} - birth_year) // 5) * 5) AS age_band, sex, COUNT(*) AS people
  FROM people WHERE status <> 'dead' GROUP BY ALL`;
const nights = `SELECT commune, strftime(arrival_day + CAST(n AS INTEGER), '%Y-%m') AS month, COUNT(*) AS guest_nights
  FROM stays, range(0, 366) AS r(n) WHERE n < nights GROUP BY ALL`;
// Three full recomputations; the median is reported (the machine's speed varies from minute to
// minute, and bench/insight.sh takes the median of three rebuilds too).
const fulls = [];
let p = 0;
let g = 0;
for (let i = 0; i < 3; i++) {
  t = process.hrtime.bigint();
  p = (await con.runAndReadAll(population)).getRows().length;
  g = (await con.runAndReadAll(nights)).getRows().length;
  fulls.push(ms(t));
}
fulls.sort((a, b) => a - b);
const fullMs = fulls[1];

const dashPop = `SELECT commune, LEAST(80, ((${year} - birth_year) // 5) * 5) AS age_band, sex, COUNT(*) AS people
  FROM people WHERE status <> 'dead' AND province = '56' GROUP BY ALL ORDER BY ALL`;
const dashNights = `SELECT strftime(arrival_day + CAST(n AS INTEGER), '%Y-%m') AS month, COUNT(*) AS guest_nights
  FROM stays, range(0, 366) AS r(n) WHERE n < nights AND arrival_day + CAST(n AS INTEGER) >= DATE '${year}-01-01' - INTERVAL 1 YEAR
  GROUP BY ALL ORDER BY ALL`;
const times = [];
for (let i = 0; i < Number(rounds); i++) {
  const s = process.hrtime.bigint();
  await con.runAndReadAll(i % 2 ? dashNights : dashPop);
  times.push(ms(s));
}
times.sort((a, b) => a - b);
const q = (f) => times[Math.min(times.length - 1, Math.floor(f * times.length))];
console.log(JSON.stringify({ load_ms: Math.round(loadMs), full_ms: Math.round(fullMs), full_runs_ms: fulls.map(Math.round), p50_ms: +q(0.5).toFixed(2), p99_ms: +q(0.99).toFixed(2), population_rows: p, nights_rows: g }));
