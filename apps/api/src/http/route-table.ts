import type { FastifyInstance } from 'fastify';
import { accessFor, type RouteAccess } from '../auth/roles';

/** One registered route and who may call it. */
export interface RouteEntry {
  readonly method: string;
  /** The route template, e.g. `/accounts/:id/deposits`. */
  readonly url: string;
  readonly access: RouteAccess;
}

const tables = new WeakMap<FastifyInstance, RouteEntry[]>();

/**
 * Records every route registered on `app` from now on (fastify's own HEAD twins of GET
 * routes included), with the access it resolves to. Install before registering routes.
 */
export function installRouteTable(app: FastifyInstance): void {
  const table: RouteEntry[] = [];
  tables.set(app, table);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) table.push({ method, url: route.url, access: accessFor(method, route.config?.auth, false) });
  });
}

/**
 * The routes of a server built by buildServer, with their access: logged at start-up, and
 * walked by the hostile-input tests so that every new route is attacked too.
 */
export function routeTableOf(app: FastifyInstance): readonly RouteEntry[] {
  return [...(tables.get(app) ?? [])];
}
