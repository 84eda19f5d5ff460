import type { DemoSources } from '../../src/simulators/demo.ts';

/**
 * Every credential in the demo configuration and every simulator URL (host and port): strings
 * no response body or log line may ever contain.
 */
export function secretsOf(demo: DemoSources): string[] {
  const found = new Set<string>();
  const walk = (value: unknown, key: string) => {
    if (typeof value === 'string') {
      if (key === 'url' || /secret|key|token|password/i.test(key))
        found.add(key === 'url' ? new URL(value).host : value);
    } else if (typeof value === 'object' && value !== null) {
      for (const [name, item] of Object.entries(value)) walk(item, name);
    }
  };
  for (const source of demo.sources) {
    // Vonage's API key is public: it names the account and is its address in the schema. Its secret is not.
    const { auth, ...rest } = source as { auth?: Record<string, unknown> };
    walk(rest, '');
    walk(source.kind === 'vonage' ? { apiSecret: auth?.apiSecret } : auth, '');
  }
  for (const simulator of Object.values(demo.simulators)) found.add(new URL(simulator.url).host);
  return [...found].filter((secret) => secret.length >= 8);
}
