// openapi.mjs — builds docs/openapi.json from the parts in docs/openapi/*.json (one per module;
// 00-system.json holds the document's head and shared components). `make openapi` runs it;
// `node scripts/openapi.mjs --check` fails when docs/openapi.json is not what the parts give.
// A path, method or component defined in two parts is an error.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, 'docs/openapi');
const out = path.join(root, 'docs/openapi.json');

function merge(into, part, file, where) {
  for (const [key, value] of Object.entries(part)) {
    const at = `${where}.${key}`;
    if (!(key in into)) {
      into[key] = value;
    } else if (where === '' && (key === 'paths' || key === 'components')) {
      merge(into[key], value, file, at);
    } else if (where === '.components' || where === '.paths') {
      merge(into[key], value, file, at);
    } else {
      throw new Error(`${file}: ${at} is defined twice`);
    }
  }
}

const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
const doc = {};
for (const f of files) merge(doc, JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')), f, '');
doc.paths = Object.fromEntries(Object.entries(doc.paths).sort(([a], [b]) => a.localeCompare(b)));
const text = JSON.stringify(doc, null, 2) + '\n';

if (process.argv.includes('--check')) {
  const current = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
  if (current !== text) {
    console.error('docs/openapi.json is out of date: run `make openapi`');
    process.exit(1);
  }
} else {
  fs.writeFileSync(out, text);
}
