/**
 * Generate the TypeScript types of the REST API and its records (run by `jlpm build`).
 *
 * The one source is the Python package: `jupyter_mlver/server/openapi.yaml`, whose
 * components reference every record schema in `jupyter_mlver/schemas/`. The output,
 * `src/generated/openapi.ts`, is not committed; `src/api/` wraps it in typed calls.
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import openapiTS, { astToString } from 'openapi-typescript';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..', '..', 'jupyter_mlver');
const spec = join(pkg, 'server', 'openapi.yaml');
const schemas = join(pkg, 'schemas');
const out = join(here, '..', 'src', 'generated', 'openapi.ts');

// A record schema that openapi.yaml does not reference would get no type: say so.
const text = await readFile(spec, 'utf8');
const missing = (await readdir(schemas))
  .filter(name => name.endsWith('.json'))
  .filter(name => !text.includes(`"../schemas/${name}"`));
if (missing.length) {
  console.error(
    `openapi.yaml references no schema ${missing.join(', ')}: add it under components.schemas as {$ref: "../schemas/NAME.json"}`
  );
  process.exit(1);
}

const ast = await openapiTS(pathToFileURL(spec), {
  // The bundler lifts a record schema's $defs into components; left in place, they
  // would read as a property named "$defs".
  transform(schema) {
    if (schema && typeof schema === 'object' && '$defs' in schema) {
      delete schema.$defs;
    }
    return undefined;
  }
});
const banner =
  '/* Generated from jupyter_mlver/server/openapi.yaml by scripts/generate-types.mjs: do not edit. */\n' +
  '/* eslint-disable */\n';
await mkdir(dirname(out), { recursive: true });
const body = banner + astToString(ast);
const before = await readFile(out, 'utf8').catch(() => '');
if (before !== body) {
  // Unchanged output keeps its mtime, so tsc's incremental build stays warm.
  await writeFile(out, body);
}
console.log(`types: ${out}`);
