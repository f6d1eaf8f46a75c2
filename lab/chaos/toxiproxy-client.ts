// The few Toxiproxy API calls a chaos run makes, with fetch. Unlike toxiproxy-node-client this
// keeps the server's error body, so "a toxic the server rejects" reads as the server's reason.

/** Bounds every API call: an unreachable or wedged server fails the run instead of hanging it. */
const REQUEST_TIMEOUT_MS = 5_000;

export interface ToxicSpec {
  name: string;
  type: string;
  stream: 'upstream' | 'downstream';
  toxicity: number;
  attributes: Record<string, unknown>;
}

export interface ProxyInfo {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
}

export class ToxiproxyError extends Error {
  override name = 'ToxiproxyError';
}

export class ToxiproxyClient {
  constructor(readonly url: string) {}

  /** GET /version: proves the server is there and speaks the API. */
  async version(): Promise<string> {
    const body = await this.call('GET', '/version', undefined, 'reach Toxiproxy');
    return typeof body === 'object' && body !== null && 'version' in body ? String(body.version) : String(body);
  }

  async createProxy(name: string, listen: string, upstream: string): Promise<ProxyInfo> {
    // A proxy of the same name left by an earlier, killed run: replace it.
    await this.call('DELETE', `/proxies/${encodeURIComponent(name)}`, undefined, 'delete old proxy', [404]);
    return (await this.call('POST', '/proxies', { name, listen, upstream, enabled: true }, `create proxy ${name}`)) as ProxyInfo;
  }

  async deleteProxy(name: string): Promise<void> {
    await this.call('DELETE', `/proxies/${encodeURIComponent(name)}`, undefined, `delete proxy ${name}`, [404]);
  }

  async setEnabled(name: string, enabled: boolean): Promise<void> {
    await this.call('POST', `/proxies/${encodeURIComponent(name)}`, { enabled }, `${enabled ? 'enable' : 'disable'} proxy ${name}`);
  }

  async addToxic(proxy: string, toxic: ToxicSpec): Promise<void> {
    await this.call('POST', `/proxies/${encodeURIComponent(proxy)}/toxics`, toxic, `add ${toxic.type} toxic to ${proxy}`);
  }

  async removeToxic(proxy: string, toxic: string): Promise<void> {
    await this.call('DELETE', `/proxies/${encodeURIComponent(proxy)}/toxics/${encodeURIComponent(toxic)}`, undefined, `remove toxic ${toxic}`, [404]);
  }

  private async call(method: string, path: string, body: unknown, what: string, okStatuses: number[] = []): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(new URL(path, this.url), {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new ToxiproxyError(`cannot ${what}: Toxiproxy at ${this.url} is unreachable (${why}); check TOXIPROXY_URL or unset it to use the embedded server`);
    }
    const text = await response.text();
    if (!response.ok && !okStatuses.includes(response.status)) {
      throw new ToxiproxyError(`cannot ${what}: Toxiproxy answered ${response.status}: ${errorText(text)}`);
    }
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
}

function errorText(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: string };
    if (typeof parsed.error === 'string') return parsed.error;
  } catch {
    // plain text body
  }
  return text.trim() || '(no body)';
}
