import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
// acorn comes with eslint (espree's parser); it is only used by tests.
import { parse, type AnyNode, type CallExpression, type Expression, type Program, type SpreadElement } from 'acorn';

/**
 * Static reading of the k6 scripts in loadtests/ (test-only): no k6 binary exists here, so the
 * tests parse the scripts and check what they would send. The scripts' contract (loadtests/lib/http.js):
 * every request is `api(METHOD, '/route/:template', { params }, body, options)` with the method
 * and template as string literals and the body `null` or a call to a builder of lib/bodies.js.
 */

/** One request a script makes, as written in its source. */
export interface ScriptRequest {
  /** `file:line`, for messages. */
  readonly at: string;
  readonly method: string;
  /** Route template, possibly with a query string: `/accounts/:id/transactions?limit=20`. */
  readonly pathTemplate: string;
  /** Keys of the params object (the `:name` values). */
  readonly paramNames: readonly string[];
  /** The lib/bodies.js export that builds the body, or null for a request without one. */
  readonly bodyBuilder: string | null;
}

/** What a script declares and sends, and every way it breaks the contract. */
export interface ScriptFacts {
  /** Path relative to the loadtests directory, e.g. `lib/http.js`. */
  readonly file: string;
  readonly requests: readonly ScriptRequest[];
  /** Metric expressions under `export const options = { thresholds }` (empty: none). */
  readonly thresholds: readonly string[];
  /** `executor` of every scenario under `options.scenarios`. */
  readonly executors: readonly string[];
  /** Names the module exports (`default` included). */
  readonly exports: readonly string[];
  /** Contract violations; empty when the script can be checked statically. */
  readonly problems: readonly string[];
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);

function isNode(value: unknown): value is AnyNode {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** Every node of the tree, depth first. */
function* walk(node: AnyNode): Generator<AnyNode> {
  yield node;
  for (const value of Object.values(node)) {
    for (const child of Array.isArray(value) ? value : [value]) if (isNode(child)) yield* walk(child);
  }
}

/** Parses a script as k6 does: an ES module. Throws (with the file) on a syntax error. */
export function parseScript(file: string, source: string): Program {
  try {
    return parse(source, { ecmaVersion: 'latest', sourceType: 'module', locations: true });
  } catch (error) {
    throw new Error(`${file} does not parse as an ES module: ${(error as Error).message}`);
  }
}

/** Local name → the module (resolved against the loadtests dir) and the name it imports. */
function importsOf(program: Program, file: string): Map<string, { module: string; name: string }> {
  const imports = new Map<string, { module: string; name: string }>();
  for (const statement of program.body) {
    if (statement.type !== 'ImportDeclaration') continue;
    const source = String(statement.source.value);
    const module = source.startsWith('.') ? join(dirname(file), source).replace(/\\/g, '/') : source;
    for (const spec of statement.specifiers) {
      const name = spec.type === 'ImportSpecifier' ? (spec.imported.type === 'Identifier' ? spec.imported.name : String(spec.imported.value)) : 'default';
      imports.set(spec.local.name, { module, name });
    }
  }
  return imports;
}

const stringLiteral = (node: Expression | SpreadElement | undefined): string | undefined => (node?.type === 'Literal' && typeof node.value === 'string' ? node.value : undefined);

/** Reads one `api(...)` call, or the reason it cannot be read statically. */
function readRequest(call: CallExpression, at: string, imports: ReturnType<typeof importsOf>): ScriptRequest | string {
  const [methodArg, pathArg, paramsArg, bodyArg] = call.arguments;
  const method = stringLiteral(methodArg);
  const pathTemplate = stringLiteral(pathArg);
  if (method === undefined || !METHODS.has(method)) return `${at}: the method of api() must be a string literal such as 'POST'`;
  if (pathTemplate === undefined || !pathTemplate.startsWith('/')) return `${at}: the path of api() must be a string literal route template such as '/accounts/:id'`;
  if (paramsArg?.type !== 'ObjectExpression') return `${at}: the params of api() must be an object literal`;
  const paramNames: string[] = [];
  for (const property of paramsArg.properties) {
    if (property.type !== 'Property' || property.computed || property.key.type !== 'Identifier') return `${at}: params keys must be plain names`;
    paramNames.push(property.key.name);
  }
  if (bodyArg?.type === 'Literal' && bodyArg.value === null) return { at, method, pathTemplate, paramNames, bodyBuilder: null };
  const builder = bodyArg?.type === 'CallExpression' && bodyArg.callee.type === 'Identifier' ? imports.get(bodyArg.callee.name) : undefined;
  if (builder?.module !== 'lib/bodies.js') return `${at}: the body of api() must be null or a call to a lib/bodies.js builder`;
  return { at, method, pathTemplate, paramNames, bodyBuilder: builder.name };
}

/** The value of `key` in an object literal (non-computed keys only). */
function propertyOf(object: AnyNode | null | undefined, key: string): AnyNode | undefined {
  if (object?.type !== 'ObjectExpression') return undefined;
  for (const property of object.properties) {
    if (property.type !== 'Property' || property.computed) continue;
    const name = property.key.type === 'Identifier' ? property.key.name : property.key.type === 'Literal' ? String(property.key.value) : undefined;
    if (name === key) return property.value;
  }
  return undefined;
}

function keysOf(object: AnyNode | undefined): AnyNode[] {
  if (object?.type !== 'ObjectExpression') return [];
  return object.properties.flatMap((p) => (p.type === 'Property' && !p.computed ? [p.key] : []));
}

/** Exported names, and the `options` object literal when there is one. */
function exportsOf(program: Program): { names: string[]; options: AnyNode | undefined } {
  const names: string[] = [];
  let options: AnyNode | undefined;
  for (const statement of program.body) {
    if (statement.type === 'ExportDefaultDeclaration') names.push('default');
    if (statement.type !== 'ExportNamedDeclaration' || !statement.declaration) continue;
    const declaration = statement.declaration;
    if (declaration.type === 'FunctionDeclaration') names.push(declaration.id.name);
    if (declaration.type !== 'VariableDeclaration') continue;
    for (const declarator of declaration.declarations) {
      if (declarator.id.type !== 'Identifier') continue;
      names.push(declarator.id.name);
      if (declarator.id.name === 'options') options = declarator.init ?? undefined;
    }
  }
  return { names, options };
}

/**
 * Everything the tests check about one script: its requests (through lib/http.js `api`), its
 * thresholds and scenarios, its exports, and contract violations (a direct k6/http import
 * outside lib/http.js, an `api` call that cannot be read statically).
 */
export function analyseScript(file: string, source: string): ScriptFacts {
  const program = parseScript(file, source);
  const imports = importsOf(program, file);
  const problems: string[] = [];
  const requests: ScriptRequest[] = [];
  if (file !== 'lib/http.js' && [...imports.values()].some((i) => i.module === 'k6/http')) problems.push(`${file}: imports k6/http; send requests through lib/http.js api() so they can be checked`);
  for (const node of walk(program)) {
    if (node.type !== 'CallExpression' || node.callee.type !== 'Identifier') continue;
    const imported = imports.get(node.callee.name);
    if (imported?.module !== 'lib/http.js' || imported.name !== 'api') continue;
    const request = readRequest(node, `${file}:${node.loc?.start.line ?? '?'}`, imports);
    if (typeof request === 'string') problems.push(request);
    else requests.push(request);
  }
  const { names, options } = exportsOf(program);
  const thresholds = keysOf(propertyOf(options, 'thresholds')).map((key) => (key.type === 'Identifier' ? key.name : key.type === 'Literal' ? String(key.value) : '?'));
  const scenarios = propertyOf(options, 'scenarios');
  const executors = scenarios?.type === 'ObjectExpression' ? scenarios.properties.map((p) => (p.type === 'Property' ? stringLiteral(propertyOf(p.value, 'executor') as Expression | undefined) ?? '?' : '?')) : [];
  return { file, requests, thresholds, executors, exports: names, problems };
}

/** Every `.js` file under `dir`, relative to it, sorted. */
export function listScripts(dir: string): string[] {
  const entries = readdirSync(dir, { recursive: true, encoding: 'utf8' });
  return entries.filter((entry) => entry.endsWith('.js')).map((entry) => entry.replace(/\\/g, '/')).sort();
}

/** The repository's loadtests directory. */
export const LOADTESTS_DIR = resolve(__dirname, '../../../../loadtests');

/** analyseScript for every script of the loadtests directory. */
export function analyseLoadtests(dir: string = LOADTESTS_DIR): ScriptFacts[] {
  return listScripts(dir).map((file) => analyseScript(file, readFileSync(join(dir, file), 'utf8')));
}
