/** What a request's Authorization header holds. */
export type Credential = { readonly kind: 'missing' } | { readonly kind: 'malformed' } | { readonly kind: 'bearer'; readonly token: string };

/** `Bearer <b64token>` (RFC 6750 §2.1), scheme in any case; the token is checked elsewhere. */
const BEARER = /^bearer +([A-Za-z0-9._~+/-]+=*) *$/i;
/** Longer headers are refused unread: no configured token is anywhere near this long. */
const MAX_HEADER_LENGTH = 1024;

/**
 * Reads the bearer token from the raw header list (name, value, name, value …). Node keeps
 * only the FIRST of repeated Authorization headers in `request.headers`, while a proxy in
 * front may honour the last: two headers are ambiguous, so they are refused as malformed.
 */
export function credentialOf(rawHeaders: readonly string[]): Credential {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === 'authorization') values.push(rawHeaders[i + 1]!);
  }
  if (values.length === 0) return { kind: 'missing' };
  const value = values[0]!;
  if (values.length > 1 || value.length > MAX_HEADER_LENGTH) return { kind: 'malformed' };
  const match = BEARER.exec(value);
  return match ? { kind: 'bearer', token: match[1]! } : { kind: 'malformed' };
}
