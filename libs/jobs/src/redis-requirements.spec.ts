import { judgeRedis, parseRedisInfo, RedisUnfitError, startFailureLine } from './redis-requirements';

const memory = (policy?: string) =>
  ['# Memory', 'used_memory:1033232', 'maxmemory:0', ...(policy === undefined ? [] : [`maxmemory_policy:${policy}`]), 'mem_allocator:jemalloc-5.3.0', ''].join(
    '\r\n',
  );
const persistence = (aof: 0 | 1) =>
  ['# Persistence', 'loading:0', 'rdb_changes_since_last_save:12', 'rdb_bgsave_in_progress:0', `aof_enabled:${aof}`, 'aof_rewrite_in_progress:0', ''].join('\r\n');

describe('parseRedisInfo', () => {
  it('reads key:value lines and skips section headers and blanks', () => {
    expect(parseRedisInfo('# Memory\r\nused_memory:10\r\n\r\nmaxmemory_policy:noeviction\r\nmem_allocator:jemalloc-5.3.0\r\n')).toEqual({
      used_memory: '10',
      maxmemory_policy: 'noeviction',
      mem_allocator: 'jemalloc-5.3.0',
    });
  });

  it('keeps colons inside values', () => {
    expect(parseRedisInfo('executable:/usr/bin/redis-server\nconfig_file:C:\\redis.conf')).toMatchObject({ config_file: 'C:\\redis.conf' });
  });
});

describe('judgeRedis', () => {
  it('accepts noeviction with the append-only file on, silently', () => {
    expect(judgeRedis({ memory: memory('noeviction'), persistence: persistence(1), save: '' })).toEqual({ refusal: null, warnings: [] });
  });

  it('accepts noeviction with RDB save points and no append-only file, silently', () => {
    expect(judgeRedis({ memory: memory('noeviction'), persistence: persistence(0), save: '3600 1 300 100 60 10000' })).toEqual({
      refusal: null,
      warnings: [],
    });
  });

  it.each(['allkeys-lru', 'volatile-lru', 'allkeys-lfu', 'volatile-lfu', 'allkeys-random', 'volatile-random', 'volatile-ttl'])(
    'refuses %s, naming the setting and the fix on one line',
    (policy) => {
      const { refusal } = judgeRedis({ memory: memory(policy), persistence: persistence(1), save: '' });
      expect(refusal).toContain(`maxmemory-policy is ${policy}`);
      expect(refusal).toContain('maxmemory-policy noeviction');
      expect(refusal).not.toContain('\n');
    },
  );

  it('warns that persistence is off when there is neither an append-only file nor save points', () => {
    const verdict = judgeRedis({ memory: memory('noeviction'), persistence: persistence(0), save: '' });
    expect(verdict.refusal).toBeNull();
    expect(verdict.warnings).toHaveLength(1);
    expect(verdict.warnings[0]).toMatch(/^Redis persistence is off \(appendonly no, no save points\).*set appendonly yes$/);
  });

  it('says persistence could not be checked when CONFIG is not allowed and the append-only file is off', () => {
    const verdict = judgeRedis({ memory: memory('noeviction'), persistence: persistence(0), save: null });
    expect(verdict.refusal).toBeNull();
    expect(verdict.warnings).toEqual([expect.stringMatching(/^Redis persistence could not be checked: .*CONFIG GET save is not allowed/)]);
  });

  it('needs no CONFIG when the append-only file is on', () => {
    expect(judgeRedis({ memory: memory('noeviction'), persistence: persistence(1), save: null })).toEqual({ refusal: null, warnings: [] });
  });

  it('refuses and warns at once when Redis both evicts and forgets', () => {
    const verdict = judgeRedis({ memory: memory('allkeys-lru'), persistence: persistence(0), save: '' });
    expect(verdict.refusal).toContain('allkeys-lru');
    expect(verdict.warnings[0]).toContain('persistence is off');
  });

  it('warns, without refusing, when INFO does not tell the policy', () => {
    const verdict = judgeRedis({ memory: memory(undefined), persistence: persistence(1), save: '' });
    expect(verdict.refusal).toBeNull();
    expect(verdict.warnings).toEqual([expect.stringContaining('maxmemory-policy could not be checked')]);
  });
});

describe('startFailureLine', () => {
  it('prints a refusal as its reason alone', () => {
    expect(startFailureLine('payments worker', new RedisUnfitError('Redis maxmemory-policy is allkeys-lru, …'))).toBe(
      'payments worker refused to start: Redis maxmemory-policy is allkeys-lru, …',
    );
  });

  it('prints any other failure with its stack', () => {
    const line = startFailureLine('gateway', new Error('boom'));
    expect(line).toMatch(/^gateway failed to start: Error: boom\n\s+at /);
  });
});
