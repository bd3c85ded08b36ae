/**
 * Route templates → URLs. Pure (no k6 imports): the API's test suite uses it too, so the URLs
 * it checks are built exactly as the scripts build them.
 */

/**
 * Fills `:name` segments of a route template such as `/accounts/:id/deposits` (a query string
 * after `?` is kept as written). Every placeholder must have a value and every value a
 * placeholder, so a renamed parameter fails loudly instead of sending a literal `:id`.
 */
export function fillPath(template, params) {
  const [path, query] = template.split('?');
  const used = new Set();
  const filled = path.replace(/:([A-Za-z][A-Za-z0-9_]*)/g, (_match, name) => {
    if (params[name] === undefined) throw new Error(`${template}: no value for :${name}`);
    used.add(name);
    return encodeURIComponent(String(params[name]));
  });
  const unused = Object.keys(params).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`${template}: no placeholder for ${unused.join(', ')}`);
  return query === undefined ? filled : `${filled}?${query}`;
}
