import { ErrProxyAlreadyExists, ErrProxyNotFound } from './errors.js';
import { Proxy } from './proxy.js';

/** The proxies by name (Toxiproxy's ProxyCollection). */
export class ProxyCollection {
  private readonly proxies = new Map<string, Proxy>();

  list(): Proxy[] {
    return [...this.proxies.values()];
  }

  get(name: string): Proxy {
    const proxy = this.proxies.get(name);
    if (proxy === undefined) throw ErrProxyNotFound;
    return proxy;
  }

  async add(proxy: Proxy, start: boolean): Promise<void> {
    if (this.proxies.has(proxy.name)) throw ErrProxyAlreadyExists;
    if (start) await proxy.start();
    this.proxies.set(proxy.name, proxy);
  }

  /** /populate: a proxy with the same addresses is kept as it is (toxics, connections and all). */
  async addOrReplace(proxy: Proxy, start: boolean): Promise<Proxy> {
    const existing = this.proxies.get(proxy.name);
    if (existing !== undefined) {
      if (existing.listen === proxy.listen && existing.upstream === proxy.upstream) return existing;
      await existing.stop();
      this.proxies.delete(proxy.name);
    }
    await this.add(proxy, start);
    return proxy;
  }

  async remove(name: string): Promise<void> {
    const proxy = this.get(name);
    this.proxies.delete(name);
    await proxy.stop();
  }

  async clear(): Promise<void> {
    const proxies = this.list();
    this.proxies.clear();
    await Promise.all(proxies.map((proxy) => proxy.stop()));
  }
}
