// Reads an Arrow IPC file with the apache-arrow npm package and prints a JSON summary:
// schema metadata, each field's type (and dictionary/ordered flags), and the rows as arrays.
import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';

const table = tableFromIPC(readFileSync(process.argv[2]));
const fields = table.schema.fields.map(f => ({
  name: f.name,
  type: String(f.type),
  dictionary: f.type.dictionary !== undefined,
  ordered: f.type.isOrdered ?? null,
  nullable: f.nullable,
}));
const columns = {};
for (const f of table.schema.fields) {
  const v = table.getChild(f.name);
  columns[f.name] = Array.from({ length: v.length }, (_, i) => {
    const x = v.get(i);
    if (typeof x === 'bigint') return Number(x);
    if (typeof x === 'number' && !Number.isFinite(x)) return String(x);
    return x;
  });
}
console.log(JSON.stringify({ rows: table.numRows, metadata: Object.fromEntries(table.schema.metadata), fields, columns }));
