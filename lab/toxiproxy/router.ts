// Routes as a table, matched the way Toxiproxy's router (gorilla/mux) matches them: a path pattern
// of literal segments and `{name}` placeholders, each placeholder one non-empty segment. A path no
// route matches is a 404; a path some route matches, but not with this method, is a 405.

export interface Route<Handler> {
  methods: readonly string[];
  /** e.g. `/proxies/{proxy}/toxics/{toxic}`. */
  path: string;
  handler: Handler;
}

export type RouteMatch<Handler> =
  | { found: true; handler: Handler; params: Record<string, string> }
  | { found: false; status: 404 | 405 };

export class Router<Handler> {
  private readonly routes: ReadonlyArray<{ route: Route<Handler>; pattern: readonly string[] }>;

  constructor(routes: ReadonlyArray<Route<Handler>>) {
    this.routes = routes.map((route) => ({ route, pattern: route.path.split('/').slice(1) }));
  }

  /** `segments`: the request path split at '/' (without the leading empty one), each decoded. */
  match(method: string, segments: readonly string[]): RouteMatch<Handler> {
    let pathMatched = false;
    for (const { route, pattern } of this.routes) {
      const params = matchPattern(pattern, segments);
      if (params === undefined) continue;
      pathMatched = true;
      if (route.methods.includes(method)) return { found: true, handler: route.handler, params };
    }
    return { found: false, status: pathMatched ? 405 : 404 };
  }
}

function matchPattern(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of pattern.entries()) {
    const segment = segments[i]!;
    if (part.startsWith('{') && part.endsWith('}')) {
      if (segment === '') return undefined;
      params[part.slice(1, -1)] = segment;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}
