import { describe, expect, it } from 'vitest';
import { variantOf } from '../bench/versus-passthrough.ts';

describe("the bench's third contender (BENCH_GATEWAY_FLAGS, BENCH_VARIANT_SERVER, BENCH_GATEWAY_NODE)", () => {
  it('is absent when neither is set, or both are blank', () => {
    expect(variantOf({})).toBeUndefined();
    expect(variantOf({ BENCH_GATEWAY_FLAGS: '  ', BENCH_VARIANT_SERVER: ' ' })).toBeUndefined();
  });

  it('runs under Node flags alone with the server settings every gateway has', () => {
    const variant = variantOf({ BENCH_GATEWAY_FLAGS: '--max-semi-space-size=16 --v8-pool-size=1' });
    expect(variant).toEqual({
      label: 'balance-gateway +flags',
      flags: ['--max-semi-space-size=16', '--v8-pool-size=1'],
      env: {},
      description: 'Node flags --max-semi-space-size=16 --v8-pool-size=1',
    });
  });

  it('hands its own server settings to the child in place of BENCH_GATEWAY_SERVER, with the flags if set', () => {
    const variant = variantOf({
      BENCH_GATEWAY_SERVER: '{"maxConcurrentRequests":8}',
      BENCH_VARIANT_SERVER: '{"maxConcurrentRequests":64}',
      BENCH_GATEWAY_FLAGS: '--max-semi-space-size=16',
    });
    expect(variant?.label).toBe('balance-gateway +variant');
    expect(variant?.flags).toEqual(['--max-semi-space-size=16']);
    expect(variant?.env).toEqual({ BENCH_GATEWAY_SERVER: '{"maxConcurrentRequests":64}' });
    expect(variant?.description).toBe('Node flags --max-semi-space-size=16, server {"maxConcurrentRequests":64}');
  });

  it('runs on another Node binary, named with the version that binary reports', () => {
    const variant = variantOf({ BENCH_GATEWAY_NODE: ` ${process.execPath} ` });
    expect(variant).toEqual({
      label: 'balance-gateway +node',
      flags: [],
      node: process.execPath,
      env: {},
      description: `Node ${process.versions.node} (${process.execPath})`,
    });
    const both = variantOf({ BENCH_GATEWAY_NODE: process.execPath, BENCH_GATEWAY_FLAGS: '--v8-pool-size=1' });
    expect(both?.label).toBe('balance-gateway +variant');
    expect(both?.description).toBe(`Node flags --v8-pool-size=1, Node ${process.versions.node} (${process.execPath})`);
  });

  it('fails before anything starts on a Node binary that does not run', () => {
    expect(() => variantOf({ BENCH_GATEWAY_NODE: '/nonexistent/node' })).toThrow(
      /BENCH_GATEWAY_NODE must be a Node binary that runs, got: \/nonexistent\/node/,
    );
  });

  it('fails before anything starts on settings that are not a JSON object', () => {
    for (const bad of ['{maxConcurrentRequests:64}', '[1]', '64', 'null']) {
      expect(() => variantOf({ BENCH_VARIANT_SERVER: bad })).toThrow(/BENCH_VARIANT_SERVER must be a JSON object/);
    }
  });
});
