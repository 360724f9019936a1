#!/usr/bin/env node
// A Docker CLI that lies, for `--docker-cmd`: what it answers comes from the JSON scenario file
// named by FAKE_ENGINE_SCENARIO. Keys are the call's first words (`version`, `ps`,
// `container inspect`, `image inspect`, `diff`, `logs`, `cp`); each value says what to do:
//   stdout / stderr: text to print; exit: the exit status (default 0)
//   tar: members to stream as a tar archive ({ header: base64 of the 512-byte header,
//        bodyBytes: how many zero bytes follow it, padded to a block }), then the end blocks
//   ignoreTerm: ignore SIGTERM and never end; holdPipes: leave a child holding stdout, then exit
//   repeat: print stdout this many times
// Every call is appended to FAKE_ENGINE_SCENARIO + '.calls' (one line of arguments each).
import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';

const scenarioFile = process.env.FAKE_ENGINE_SCENARIO;
const scenario = JSON.parse(readFileSync(scenarioFile, 'utf8'));
const args = process.argv.slice(2);
appendFileSync(`${scenarioFile}.calls`, `${JSON.stringify(args)}\n`);
const key = [`${args[0]} ${args[1]}`, args[0]].find((k) => k in scenario);
const step = key === undefined ? { stderr: `fake engine: no answer for ${args.join(' ')}\n`, exit: 1 } : scenario[key];

/** Writes, waiting for the pipe to drain (a large archive streams). */
async function write(data) {
  if (!process.stdout.write(data)) await new Promise((done) => process.stdout.once('drain', done));
}

async function streamTar(members) {
  const zeros = Buffer.alloc(1 << 20);
  for (const member of members) {
    await write(Buffer.from(member.header, 'base64'));
    let left = Math.ceil(member.bodyBytes / 512) * 512;
    while (left > 0) {
      const n = Math.min(left, zeros.length);
      await write(zeros.subarray(0, n));
      left -= n;
    }
  }
  await write(Buffer.alloc(1024));
}

if (step.ignoreTerm) {
  process.on('SIGTERM', () => appendFileSync(`${scenarioFile}.calls`, `${JSON.stringify(['ignored SIGTERM', String(process.pid)])}\n`));
  setInterval(() => {}, 1000);
} else {
  if (step.holdPipes) {
    const holder = spawn('sleep', ['600'], { stdio: ['ignore', 'inherit', 'inherit'] });
    holder.unref();
    appendFileSync(`${scenarioFile}.calls`, `${JSON.stringify(['holding the pipes', String(holder.pid)])}\n`);
  }
  if (step.stderr) process.stderr.write(step.stderr);
  for (let i = 0; i < (step.repeat ?? 1); i++) if (step.stdout) await write(step.stdout);
  if (step.tar) await streamTar(step.tar);
  process.exitCode = step.exit ?? 0;
}
