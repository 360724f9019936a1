import { describe, expect, it } from 'vitest';
import { parseEnvFile, removeEnvLines } from '../src/project/dotenv.js';
import { interpolate } from '../src/project/interpolate.js';

describe('env files as Compose reads them', () => {
  it('reads assignments, quotes, export, comments and a later line of a name', () => {
    const text = '# c\nexport A=1\nB="x\\ny" \nC=\'lit $A\'\nD=${A}2 # note\nA=3\r\nE\nF: colon\n';
    expect(parseEnvFile(text, { E: 'shell' }).map((e) => [e.name, e.value, e.line])).toEqual([
      ['B', 'x\ny', 3],
      ['C', 'lit $A', 4],
      ['D', '12', 5],
      ['A', '3', 6],
      ['E', 'shell', 7],
      ['F', 'colon', 8],
    ]);
  });

  it('removes only the lines of the named variables, keeping every other byte', () => {
    const text = '# sonarr only\nPUID=1000\r\nPGID="1000"\n\nUMASK=022 # keep\nKEY=\'a\nb\'\nTZ=UTC';
    expect(removeEnvLines(text, new Set(['PUID', 'UMASK']))).toBe('# sonarr only\nPGID="1000"\n\nKEY=\'a\nb\'\nTZ=UTC');
    expect(removeEnvLines(text, new Set(['KEY', 'TZ']))).toBe('# sonarr only\nPUID=1000\r\nPGID="1000"\n\nUMASK=022 # keep\n');
    expect(removeEnvLines(text, new Set(['NONE']))).toBe(text);
    expect(removeEnvLines('\uFEFFPUID=1\nA=2\n', new Set(['PUID']))).toBe('\uFEFFA=2\n');
  });
});

describe('interpolation', () => {
  const env: Record<string, string> = { A: 'a', EMPTY: '' };
  const lookup = (name: string) => env[name];
  it.each([
    ['$A/${A}', 'a/a'],
    ['${MISSING:-d}', 'd'],
    ['${EMPTY:-d}|${EMPTY-d}', 'd|'],
    ['${A:+alt}|${MISSING:+alt}', 'alt|'],
    ['$$A', '$A'],
    ['${MISSING:-${A}x}', 'ax'],
    ['$MISSING', ''],
  ])('%s', (text, expected) => expect(interpolate(text, lookup)).toBe(expected));
});
