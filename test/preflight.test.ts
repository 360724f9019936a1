// The pure parts of preflight: reading `docker diff` and tar listings, sorting written paths,
// tmpfs advice, and the --after log scan. (On a real engine: test/engine/preflight.test.ts.)
import { describe, expect, it } from 'vitest';
import { parseDiff } from '../src/docker/engine.js';
import type { FsChange } from '../src/docker/engine.js';
import { listTar, TarError, TarReader } from '../src/docker/tar.js';
import { paxBody, tarHeader, tarOf } from './helpers/tar.js';
import { afterFinding, refusedWrites } from '../src/preflight/after.js';
import { classifyWrites, resolveUser, suggestedSize, tmpfsAdvice, writtenLeaves } from '../src/preflight/classify.js';
import type { WriteFacts } from '../src/preflight/classify.js';
import { configFilesOf } from '../src/preflight/gather.js';
import type { ContainerInfo } from '../src/docker/engine.js';

const diff = (text: string) => parseDiff(text.trim().split('\n').map((l) => l.trim()).join('\n'));
const facts = (changes: FsChange[], extra: Partial<WriteFacts> = {}): WriteFacts => ({ changes, mounts: [], conversionTmpfs: ['/run'], linuxServer: false, ...extra });

describe('parseDiff', () => {
  it('reads the kinds and paths, ignoring other lines (paths may hold spaces)', () => {
    expect(parseDiff('C /run\nA /run/app.pid\nD /etc/old\nA /srv/my file\r\nnoise\n')).toEqual([
      { kind: 'C', path: '/run' },
      { kind: 'A', path: '/run/app.pid' },
      { kind: 'D', path: '/etc/old' },
      { kind: 'A', path: '/srv/my file' },
    ]);
  });
});

describe('writtenLeaves', () => {
  it('drops the parent directories docker diff lists for a change below them', () => {
    // The diff seen on the engine for a pid file and a cache file (compose-runtime-facts).
    const changes = diff('C /run\nA /run/app.pid\nA /var\nA /var/cache\nA /var/cache/app\nA /var/cache/app/x');
    expect(writtenLeaves(changes).map((c) => c.path)).toEqual(['/run/app.pid', '/var/cache/app/x']);
  });
});

describe('classifyWrites', () => {
  it('covers /run and mounts, proposes the cache directory the image does not ship', () => {
    const changes = diff('C /run\nA /run/app.pid\nC /tmp\nA /tmp/x\nC /var\nC /var/cache\nA /var/cache/app\nA /var/cache/app/thumbs\nA /var/cache/app/thumbs/1\nA /data');
    const result = classifyWrites(facts(changes, { mounts: ['/data'], conversionTmpfs: ['/run', '/tmp'] }));
    expect(result.proposals).toEqual([{ kind: 'tmpfs', path: '/var/cache/app', reason: 'a cache: rebuilt when missing', paths: ['/var/cache/app/thumbs/1'], shipped: false }]);
    expect(result.paths.map((p) => [p.path, p.verdict, p.mount])).toEqual([
      ['/run/app.pid', 'covered', '/run'],
      ['/tmp/x', 'covered', '/tmp'],
      ['/var/cache/app/thumbs/1', 'scratch', '/var/cache/app'],
      ['/data', 'covered', '/data'],
    ]);
  });

  it('a /tmp the conversion does not mount is scratch: a tmpfs', () => {
    const result = classifyWrites(facts(diff('C /tmp\nA /tmp/x\nA /tmp/y')));
    expect(result.proposals.map((p) => [p.kind, p.path, p.paths])).toEqual([['tmpfs', '/tmp', ['/tmp/x', '/tmp/y']]]);
    expect(result.proposals[0]!.shipped).toBe(true);
  });

  it('puts /var/lib data on a named volume, never a tmpfs, at /var/lib/NAME even when /var/lib is new', () => {
    const result = classifyWrites(facts(diff('C /var\nA /var/lib\nA /var/lib/app\nA /var/lib/app/db\nA /var/lib/app/db/table')));
    expect(result.proposals.map((p) => [p.kind, p.path])).toEqual([['volume', '/var/lib/app']]);
    expect(result.paths[0]!.verdict).toBe('persistent');
  });

  it('collapses application data to the shallowest directory the container added', () => {
    const result = classifyWrites(facts(diff('A /srv\nA /srv/app\nA /srv/app/uploads\nA /srv/app/uploads/1\nA /srv/app/uploads/2\nA /srv/app/index')));
    expect(result.proposals.map((p) => [p.kind, p.path, p.paths.length])).toEqual([['volume', '/srv', 3]]);
  });

  it('a file written into a directory the image ships goes on a volume at that directory', () => {
    const result = classifyWrites(facts(diff('C /app\nA /app/data.json')));
    expect(result.proposals.map((p) => [p.kind, p.path, p.shipped])).toEqual([['volume', '/app', true]]);
  });

  it('a pid file in a directory the image ships is not a fit: a tmpfs would hide the image', () => {
    const result = classifyWrites(facts(diff('C /app\nA /app/server.pid')));
    expect(result.proposals).toEqual([]);
    expect(result.paths[0]).toMatchObject({ path: '/app/server.pid', verdict: 'not-a-fit' });
    expect(result.paths[0]!.reason).toMatch(/point it to \/run or \/tmp/);
  });

  it('a pid file in a directory the container made gets a tmpfs there', () => {
    const result = classifyWrites(facts(diff('A /state\nA /state/server.pid')));
    expect(result.proposals.map((p) => [p.kind, p.path])).toEqual([['tmpfs', '/state']]);
  });

  it('config written under /etc is not a fit, but LinuxServer\'s PUID/PGID remap is moot', () => {
    const changes = diff('C /etc\nC /etc/passwd\nC /etc/group\nA /etc/nginx.conf');
    expect(classifyWrites(facts(changes)).paths.map((p) => p.verdict)).toEqual(['not-a-fit', 'not-a-fit', 'not-a-fit']);
    expect(classifyWrites(facts(changes, { linuxServer: true })).paths.map((p) => [p.path, p.verdict])).toEqual([
      ['/etc/passwd', 'moot'],
      ['/etc/group', 'moot'],
      ['/etc/nginx.conf', 'not-a-fit'],
    ]);
  });

  it('a directory from the container that would not read back as a mount entry is not a fit, with the reason', () => {
    const result = classifyWrites(facts(diff('A /var/cache/a\u001b]0;pwned\u0007\nA /var/cache/a\u001b]0;pwned\u0007/x\nA /srv:x\nA /srv:x/y\nA /var/cache/ok\nA /var/cache/ok/z')));
    expect(result.proposals.map((p) => p.path)).toEqual(['/var/cache/ok']);
    expect(result.paths.filter((p) => p.verdict === 'not-a-fit').map((p) => [p.path, p.reason])).toEqual([
      ['/var/cache/a\u001b]0;pwned\u0007/x', 'its directory holds control characters: it cannot be written as a mount entry'],
      ['/srv:x/y', 'its directory holds a colon: Compose would read the rest as mount options'],
    ]);
  });

  it('a file at the top of the filesystem is not a fit', () => {
    expect(classifyWrites(facts(diff('A /marker'))).paths[0]!.verdict).toBe('not-a-fit');
  });

  it('a scratch proposal inside a volume proposal is folded into the volume', () => {
    const result = classifyWrites(facts(diff('A /data\nA /data/db\nA /data/tmp\nA /data/tmp/x.lock')));
    expect(result.proposals.map((p) => [p.kind, p.path, p.paths])).toEqual([['volume', '/data', ['/data/db', '/data/tmp/x.lock']]]);
    expect(result.paths.map((p) => [p.verdict, p.mount])).toEqual([
      ['persistent', '/data'],
      ['persistent', '/data'],
    ]);
  });

  it('per-user caches and logs are scratch', () => {
    const result = classifyWrites(facts(diff('C /root\nA /root/.cache\nA /root/.cache/pip\nA /root/.cache/pip/x\nC /var\nC /var/log\nA /var/log/app.log')));
    expect(result.proposals.map((p) => [p.kind, p.path])).toEqual([
      ['tmpfs', '/root/.cache'],
      ['tmpfs', '/var/log'],
    ]);
  });

  it('paths under image VOLUMEs and kernel filesystems are covered', () => {
    const result = classifyWrites(facts(diff('A /vol\nA /vol/x\nC /dev\nA /dev/shm/x'), { mounts: ['/vol'] }));
    expect(result.paths.every((p) => p.verdict === 'covered')).toBe(true);
    expect(result.proposals).toEqual([]);
  });
});

describe('tmpfsAdvice', () => {
  const entries = (list: { name: string; size?: number; dir?: boolean }[]) => tarOf(list.map((e) => (e.dir ? { name: e.name, flag: '5' } : { name: e.name, size: e.size ?? 0, body: Buffer.alloc(e.size ?? 0) })));

  it('sizes from what was written and lists the image files a tmpfs would hide', () => {
    const changes = diff('C /var/cache/app\nA /var/cache/app/new\nC /var/cache/app/index');
    const listing = listTar(entries([{ name: 'app', dir: true }, { name: 'app/new', size: 10 << 20 }, { name: 'app/index', size: 100 }, { name: 'app/shipped', size: 5 }]));
    const advice = tmpfsAdvice('/var/cache/app', listing, changes, { uid: 1000, gid: 1001 });
    expect(advice.written).toBe((10 << 20) + 100);
    expect(advice.options).toEqual(['size=64m', 'uid=1000', 'gid=1001']);
    expect(advice.hidden).toEqual(['/var/cache/app/index', '/var/cache/app/shipped']);
  });

  it('without a listing: no size= (never a guess below what was written), the reason kept; the directory is the image\'s unless the container added it', () => {
    const unread = { unread: 'docker cp: no space left on device' };
    expect(tmpfsAdvice('/tmp', unread, diff('C /tmp\nA /tmp/x'), null)).toEqual({ options: [], written: null, unread: unread.unread, hidden: ['/tmp'] });
    expect(tmpfsAdvice('/state', unread, diff('A /state\nA /state/x'), { uid: 1000, gid: 1000 })).toMatchObject({ options: ['uid=1000', 'gid=1000'], hidden: [] });
  });

  it('files the container deleted there were shipped by the image', () => {
    expect(tmpfsAdvice('/state', [], diff('A /state\nD /state/old'), null).hidden).toEqual(['/state/old']);
  });

  it('suggestedSize: four times the written bytes, at least 16m, a power of two', () => {
    expect(suggestedSize(0)).toBe('16m');
    expect(suggestedSize(4 << 20)).toBe('16m');
    expect(suggestedSize((4 << 20) + 1)).toBe('32m');
    expect(suggestedSize(100 << 20)).toBe('512m');
  });
});

describe('listTar', () => {
  it('reads GNU long names and PAX paths and sizes, keeps small file bodies when asked', () => {
    const long = `dir/${'x'.repeat(150)}`;
    const data = tarOf([
      { name: '././@LongLink', flag: 'L', body: `${long}\0` },
      { name: 'short', body: 'abc' },
      { name: 'PaxHeader', flag: 'x', body: paxBody({ path: `${long}-pax` }) },
      { name: 'ignored', flag: '5' },
      { name: 'PaxHeader', flag: 'x', body: paxBody({ size: '600' }) },
      { name: 'big', size: 0, body: Buffer.alloc(600) },
      { name: 'after', body: 'z' },
    ]);
    expect(listTar(data, 16)).toEqual([
      { name: long, size: 3, type: 'file', content: Buffer.from('abc') },
      { name: `${long}-pax`, size: 0, type: 'dir' },
      { name: 'big', size: 600, type: 'file' },
      { name: 'after', size: 1, type: 'file', content: Buffer.from('z') },
    ]);
  });

  it('reads the same listing fed one byte at a time (a stream)', () => {
    const data = tarOf([{ name: 'a', body: 'x'.repeat(700) }, { name: 'b', flag: '5' }, { name: 'c', body: 'y' }]);
    const reader = new TarReader(1);
    for (const byte of data) reader.push(Buffer.from([byte]));
    expect(reader.end().map((e) => [e.name, e.size, e.type])).toEqual([
      ['a', 700, 'file'],
      ['b', 0, 'dir'],
      ['c', 1, 'file'],
    ]);
    expect(reader.done).toBe(true);
  });

  it('reads a GNU base-256 size (past 8 GiB) without a body to hold', () => {
    const rawSize = Buffer.alloc(12);
    rawSize[0] = 0x80;
    rawSize.writeUIntBE(2 ** 40, 6, 6);
    const reader = new TarReader();
    reader.push(tarHeader({ name: 'huge', rawSize }));
    expect(reader.entries).toEqual([{ name: 'huge', size: 2 ** 40, type: 'file' }]);
    expect(() => reader.end()).toThrow(/cut short/);
  });

  it.each([
    ['a negative base-256 size', { name: 'neg', rawSize: Buffer.alloc(12, 0xff) }],
    ['a size that is not octal', { name: 'nan', rawSize: Buffer.from('-0000000001\0') }],
    ['a size past 2^53', { name: 'inf', rawSize: Buffer.concat([Buffer.from([0x80]), Buffer.alloc(11, 0xff)]) }],
  ])('refuses %s (it once looped for ever)', (_, member) => {
    expect(() => listTar(Buffer.concat([tarHeader(member), Buffer.alloc(1024)]))).toThrow(TarError);
  });

  it('refuses a wrong checksum, a PAX record that does not parse, and an archive cut short', () => {
    const good = tarOf([{ name: 'a', body: 'abc' }]);
    const bad = Buffer.from(good);
    bad[0] = 0x62;
    expect(() => listTar(bad)).toThrow(/checksum/);
    expect(() => listTar(tarOf([{ name: 'p', flag: 'x', body: '999999 path=x\n' }]))).toThrow(/PAX/);
    expect(() => listTar(tarOf([{ name: 'p', flag: 'x', body: paxBody({ size: '-5' }) }]))).toThrow(/PAX size/);
    expect(() => listTar(good.subarray(0, 600))).toThrow(/cut short/);
    expect(() => listTar(good.subarray(0, 100))).toThrow(/cut short/);
  });
});

describe('resolveUser', () => {
  const passwd = 'root:x:0:0::/root:/bin/sh\nnode:x:1000:1000::/home/node:/bin/sh\n';
  const group = 'root:x:0:\nstaff:x:50:\n';
  it('numeric, named, with a group; root and unknown names give nothing', () => {
    expect(resolveUser('1000', null, null)).toEqual({ uid: 1000, gid: 1000 });
    expect(resolveUser('1000:50', null, null)).toEqual({ uid: 1000, gid: 50 });
    expect(resolveUser('node', passwd, group)).toEqual({ uid: 1000, gid: 1000 });
    expect(resolveUser('node:staff', passwd, group)).toEqual({ uid: 1000, gid: 50 });
    expect(resolveUser('root', passwd, group)).toBeNull();
    expect(resolveUser('0:0', null, null)).toBeNull();
    expect(resolveUser('', null, null)).toBeNull();
    expect(resolveUser('nobody-here', passwd, group)).toBeNull();
  });
});

describe('--after', () => {
  it('finds refused writes and the paths they name, in the forms of sh, Go and Python', () => {
    expect(
      refusedWrites([
        "/bin/sh: can't create /etc/app.conf: Read-only file system",
        'open /var/lib/x/db: read-only file system',
        "OSError: [Errno 30] Read-only file system: '/app/cache'",
        'mkdir: cannot create directory ‘/data’: Read-only file system',
        'all fine',
        'write failed: EROFS',
      ]),
    ).toEqual([
      { line: "/bin/sh: can't create /etc/app.conf: Read-only file system", path: '/etc/app.conf' },
      { line: 'open /var/lib/x/db: read-only file system', path: '/var/lib/x/db' },
      { line: "OSError: [Errno 30] Read-only file system: '/app/cache'", path: '/app/cache' },
      { line: 'mkdir: cannot create directory ‘/data’: Read-only file system', path: '/data' },
      { line: 'write failed: EROFS', path: null },
    ]);
  });

  const info = (state: Partial<ContainerInfo['State']>, readOnly = true, restarts = 0): ContainerInfo => ({
    Id: 'x',
    Name: '/p_app_1',
    Image: 'sha256:x',
    RestartCount: restarts,
    State: { Status: 'running', Running: true, Restarting: false, ExitCode: 0, ...state },
    Config: { Image: 'app' },
    HostConfig: { ReadonlyRootfs: readOnly },
  });

  it('a running read-only container with a clean log is ok; exits, restarts, EROFS and a writable root are not', () => {
    expect(afterFinding(info({}), ['started']).ok).toBe(true);
    expect(afterFinding(info({ Status: 'exited', Running: false, ExitCode: 0 }), []).ok).toBe(true);
    expect(afterFinding(info({ Status: 'exited', Running: false, ExitCode: 1 }), []).ok).toBe(false);
    expect(afterFinding(info({ Restarting: true }), []).status).toBe('restarting');
    expect(afterFinding(info({}, true, 3), []).ok).toBe(false);
    expect(afterFinding(info({}), ["can't create '/x': Read-only file system"]).ok).toBe(false);
    expect(afterFinding(info({}, false), []).ok).toBe(false);
  });
});

describe('configFilesOf', () => {
  const withLabels = (labels: Record<string, string>) => ({ Config: { Image: 'x', Labels: labels } }) as unknown as ContainerInfo;
  it('resolves docker-compose 1.x relative paths against the working dir; keeps Compose v2 absolute ones', () => {
    expect(configFilesOf(withLabels({ 'com.docker.compose.project.config_files': 'compose.yml,extra.yml', 'com.docker.compose.project.working_dir': '/srv/stack' }))).toEqual(['/srv/stack/compose.yml', '/srv/stack/extra.yml']);
    expect(configFilesOf(withLabels({ 'com.docker.compose.project.config_files': '/srv/a/compose.yml', 'com.docker.compose.project.working_dir': '/srv/a' }))).toEqual(['/srv/a/compose.yml']);
    expect(configFilesOf(withLabels({}))).toEqual([]);
  });
});
