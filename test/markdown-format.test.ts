/**
 * `--format markdown` (issue 27): a pull request body. Byte-exact: the report from hand-made
 * file reports (tense, checklists, escaping, code spans and fences that outrun the text's
 * backticks, refusals), and the built command's output on the sonarr example.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markdownReport } from '../src/report/markdown.js';
import { summarize } from '../src/report/report.js';
import type { FileReport } from '../src/report/report.js';
import { makeTempDir, prepareCli, readBytes, removeTempDirs, runCli, writeTree } from './helpers/cli.js';
import { FIXTURES_DIR, readExact } from './helpers/fixtures.js';

const DOCS_LINK = '([LinuxServer.io: Running Containers Read-Only](https://docs.linuxserver.io/misc/read-only/))';

const file = (path: string, services: FileReport['services'], extra: Partial<FileReport> = {}): FileReport => ({
  path,
  status: services.some((s) => s.changes.length) ? 'changed' : 'unchanged',
  written: false,
  error: null,
  services,
  skippedUntested: [],
  ...extra,
});
const converted = (name: string, line: number, warnings: FileReport['services'][number]['warnings'] = []) => ({
  name,
  line,
  column: 3,
  readOnly: true,
  changes: [{ code: 'read-only-added' as const, message: 'added read_only: true', line }],
  warnings,
});
const DIFF = '--- a/compose.yml\n+++ b/compose.yml\n@@ -1,2 +1,3 @@\n services:\n   web:\n+    read_only: true\n';

describe('markdownReport', () => {
  it('gives the totals, then per file the services, the warnings as a checklist and the diff folded', () => {
    const report = file('compose.yml', [converted('web', 2, [{ code: 'unknown-image', message: 'run `docker diff CONTAINER`', line: 3 }]), { ...converted('db', 5), changes: [] }]);
    expect(markdownReport([{ report, diff: DIFF }], summarize([report]), 'preview')).toBe(
      `ro-convert would convert 1 service in 1 file to read-only containers ${DOCS_LINK}. Check the 1 warning below before merging.

### \`compose.yml\`

To convert: \`web\`

Already read-only: \`db\`

Warnings to check:

- [ ] \`web\` line 3: run \`docker diff CONTAINER\` (\`unknown-image\`)

<details>
<summary>Diff of compose.yml (+1 -0)</summary>

\`\`\`diff
--- a/compose.yml
+++ b/compose.yml
@@ -1,2 +1,3 @@
 services:
   web:
+    read_only: true
\`\`\`

</details>
`,
    );
  });

  it('says what was converted after --write, and leaves out files with nothing to say', () => {
    const changed = { ...file('a/compose.yml', [converted('web', 2)]), written: true };
    const quiet = file('b/compose.yml', [{ ...converted('db', 2), changes: [] }]);
    expect(markdownReport([{ report: changed, diff: null }, { report: quiet, diff: null }], summarize([changed, quiet]), 'write')).toBe(
      `ro-convert converted 1 service in 1 file to read-only containers ${DOCS_LINK}.

### \`a/compose.yml\`

Converted: \`web\`
`,
    );
  });

  it('names a refused file with its reason, services left writable and LinuxServer services skipped as untested', () => {
    const refused = file('bad.yml', [converted('web', 2)], { status: 'error', error: { code: 'strict-warnings', message: '--strict: refused because of 1 warning; nothing written', line: null, column: null } });
    const left = file('c.yml', [{ ...converted('app', 2), changes: [], readOnly: false, warnings: [{ code: 'read-only-variable', message: 'read_only is ${RO}', line: 4 }] }], { skippedUntested: ['jellyfin'] });
    expect(markdownReport([{ report: refused, diff: null }, { report: left, diff: null }], summarize([refused, left]), 'check')).toBe(
      `ro-convert would convert 0 services in 0 files to read-only containers ${DOCS_LINK}. 1 file could not be converted. Check the 1 warning below before merging.

### \`bad.yml\`

**Not converted**: --strict: refused because of 1 warning; nothing written

### \`c.yml\`

Still writable in Compose's view (see the warnings): \`app\`

Left writable, not tested read-only by LinuxServer: \`jellyfin\`

Warnings to check:

- [ ] \`app\` line 4: read_only is \${RO} (\`read-only-variable\`)
`,
    );
  });

  it('escapes markdown and HTML in messages outside their code spans, and fences names and diffs past their backticks', () => {
    const report = file('we`ird <dir>/compose.yml', [converted('`svc`', 2, [{ code: 'umask-ignored', message: 'in *arr stacks a <shared> /data & `a_b*` _x_ stays', line: null }])]);
    const diff = '--- a/x\n+++ b/x\n@@ -1 +1,2 @@\n ```\n+read_only: true\n';
    const out = markdownReport([{ report, diff }], summarize([report]), 'preview');
    expect(out).toContain('### ``we`ird <dir>/compose.yml``\n');
    expect(out).toContain('To convert: `` `svc` ``\n');
    expect(out).toContain('- [ ] `` `svc` ``: in \\*arr stacks a \\<shared\\> /data \\& `a_b*` \\_x\\_ stays (`umask-ignored`)\n');
    expect(out).toContain('<summary>Diff of we`ird &lt;dir&gt;/compose.yml (+1 -0)</summary>\n\n````diff\n--- a/x\n+++ b/x\n@@ -1 +1,2 @@\n ```\n+read_only: true\n````\n');
  });
});

describe('ro-convert --format markdown', () => {
  beforeAll(() => {
    prepareCli();
  });
  afterAll(() => {
    removeTempDirs();
  });

  const SONARR_IN = readExact(join(FIXTURES_DIR, 'sonarr-sample', 'input.yml'));
  const SONARR_BODY = `ro-convert converted 1 service in 1 file to read-only containers ${DOCS_LINK}. Check the 1 warning below before merging.

### \`compose.yml\`

Converted: \`sonarr\`

Warnings to check:

- [ ] \`sonarr\` line 7: PUID=1000 and PGID=1000 have no effect read-only (the app runs as 911:911): LinuxServer's init chowns /config (./config on the host) to 911:911 at every start; /mnt/tank/tv and /mnt/tank/incoming are not chowned, but the app now writes there as 911:911: give it write permission (\`chown -R 911:911\`, or a group it belongs to with group write) (docs.linuxserver.io/misc/read-only/) (\`uid-changes\`)

<details>
<summary>Diff of compose.yml (+3 -2)</summary>

\`\`\`diff
--- a/compose.yml
+++ b/compose.yml
@@ -4,8 +4,6 @@
     image: lscr.io/linuxserver/sonarr:latest
     restart: unless-stopped
     environment:
-      - PUID=1000
-      - PGID=1000
       - TZ=Europe/Lisbon
     ports:
       - 8989:8989
@@ -13,3 +11,6 @@
       - ./config:/config
       - /mnt/tank/tv:/tv # the library Sonarr renames into
       - /mnt/tank/incoming:/downloads
+    read_only: true
+    tmpfs:
+      - /run:exec
\`\`\`

</details>
`;

  it('prints the pull request body on stdout and the summary on stderr, and writes with --write', () => {
    const dir = makeTempDir();
    writeTree(dir, { 'compose.yml': SONARR_IN });
    const run = runCli(['--service', 'sonarr', '--write', '--format', 'markdown', 'compose.yml'], { cwd: dir });
    expect(run).toMatchObject({ status: 0, stdout: SONARR_BODY });
    expect(run.stderr).toMatch(/^ro-convert: 1 file: 1 changed, 0 unchanged, 0 failed; 1 service converted\n/);
    expect(readBytes(join(dir, 'compose.yml'))).toBe(readExact(join(FIXTURES_DIR, 'sonarr-sample', 'output.yml')));
  });

  it('exits 1 under --check, and masks secret values with --redact', () => {
    const dir = makeTempDir();
    writeTree(dir, { 'compose.yml': SONARR_IN.replace('      - TZ=Europe/Lisbon\n', '      - TZ=Europe/Lisbon\n      - API_TOKEN=hunter2\n') });
    const run = runCli(['--service', 'sonarr', '--check', '--redact', '--format', 'markdown', 'compose.yml'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^ro-convert would convert 1 service in 1 file/);
    expect(run.stdout).toContain('\n       - API_TOKEN=***\n');
    expect(run.stdout).not.toContain('hunter2');
  });
});
