/** A method and a path template such as `/incidents/{id}/notes`, with what serves it. */
export interface Route<H> {
  method: 'GET' | 'POST';
  template: string;
  handler: H;
}

export interface RouteMatch<H> {
  handler: H;
  /** The template's `{name}` segments, URL-decoded. */
  params: Record<string, string>;
}

interface Compiled<H> {
  route: Route<H>;
  pattern: RegExp;
  names: string[];
}

function compile<H>(route: Route<H>): Compiled<H> {
  const names: string[] = [];
  const source = route.template
    .split('/')
    .map((segment) => {
      const name = /^\{(\w+)\}$/.exec(segment)?.[1];
      if (!name) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(name);
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), names };
}

/** The simulator's own routes by method and path template; a trailing slash is ignored. */
export class RouteTable<H> {
  private readonly compiled: Compiled<H>[];

  constructor(routes: readonly Route<H>[]) {
    this.compiled = routes.map(compile);
  }

  match(method: string, pathname: string): RouteMatch<H> | undefined {
    const path = pathname.replace(/\/+$/, '');
    for (const { route, pattern, names } of this.compiled) {
      const m = route.method === method ? pattern.exec(path) : null;
      if (!m) continue;
      const params: Record<string, string> = {};
      names.forEach((name, k) => {
        try {
          params[name] = decodeURIComponent(m[k + 1]!);
        } catch {
          params[name] = m[k + 1]!;
        }
      });
      return { handler: route.handler, params };
    }
    return undefined;
  }
}
