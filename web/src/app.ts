/**
 * The playground page: the text, the selection and the options in, the diff, the warnings and
 * the converted file out. Conversions run in worker.ts; this file only reads the page and draws it.
 */
import { decodeText } from '../../src/parse/decode.js';
import { asConvertError } from '../../src/parse/errors.js';
import type { ConvertRequest, ConvertResponse, PageError, PageInput, PageWarning, SelectionMode, ServiceInfo } from './protocol.js';
import { readFragment, shareFragment } from './share.js';

/** examples/sonarr/compose.yml, read by scripts/build-web.mjs when the page is built. */
declare const SAMPLE_COMPOSE: string;

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const compose = byId<HTMLTextAreaElement>('compose');
const openFile = byId<HTMLInputElement>('open');
const serviceList = byId<HTMLUListElement>('service-list');
const skipped = byId<HTMLParagraphElement>('skipped');
const shortcuts: Record<'all' | 'supported', HTMLButtonElement> = { all: byId('select-all'), supported: byId('select-supported') };
const keepEnv = byId<HTMLInputElement>('keep-env');
const stripEnv = byId<HTMLInputElement>('strip-env');
const strict = byId<HTMLInputElement>('strict');
const errorBox = byId<HTMLDivElement>('error');
const diffRegion = byId<HTMLElement>('diff-region');
const diffSummary = byId<HTMLParagraphElement>('diff-summary');
const diffView = byId<HTMLPreElement>('diff');
const copyButton = byId<HTMLButtonElement>('copy');
const downloadButton = byId<HTMLButtonElement>('download');
const shareBox = byId<HTMLDivElement>('share-box');
const shareLink = byId<HTMLInputElement>('share-link');
const actionStatus = byId<HTMLParagraphElement>('action-status');
const warningList = byId<HTMLUListElement>('warnings');

const page = {
  /** The file's text: the text area's, with the line breaks of the file it was loaded from. */
  text: '',
  /** A text area holds `\n` only: a file whose lines all end in CRLF keeps CRLF through edits. */
  lineBreak: '\n',
  fileName: 'compose.yml',
  mode: 'supported' as SelectionMode,
  ticked: new Set<string>(),
  services: [] as ServiceInfo[],
  result: null as ConvertResponse | null,
};

// --- Conversion: one request in the worker at a time; edits made meanwhile wait for the next ---
const worker = new Worker('worker.js');
let lastId = 0;
let inFlight = false;
let queued = false;

function update(): void {
  queued = true;
  diffRegion.setAttribute('aria-busy', 'true');
  if (!inFlight) send();
}

function send(): void {
  queued = false;
  inFlight = true;
  const request: ConvertRequest = { id: ++lastId, ...currentInput() };
  worker.postMessage(request);
}

worker.onmessage = ({ data }: MessageEvent<ConvertResponse>) => {
  inFlight = false;
  // A result for a text that has changed since is not drawn: the newer one is on its way.
  if (queued) return send();
  render(data);
  diffRegion.setAttribute('aria-busy', 'false');
};

// A bug that escapes convert()'s own error handling still ends in a message, not a page that waits forever.
worker.onerror = (event) => {
  inFlight = false;
  queued = false;
  renderError({ code: 'internal', message: `bug in ro-convert: the conversion worker failed (${event.message}); please report it with this file`, line: null, column: null });
  diffRegion.setAttribute('aria-busy', 'false');
};

function currentInput(): PageInput {
  return { text: page.text, mode: page.mode, services: [...page.ticked], keepEnv: names(keepEnv.value), stripEnv: names(stripEnv.value), strict: strict.checked };
}

/** Variable names as the CLI takes them: a comma list (spaces allowed here too). */
function names(value: string): string[] {
  return value.split(/[\s,]+/).filter(Boolean);
}

// --- Drawing ---
function render(result: ConvertResponse): void {
  page.result = result;
  renderServices(result);
  renderError(result.error);
  renderDiff(result);
  renderWarnings(result.warnings);
  copyButton.disabled = downloadButton.disabled = result.output === null;
  document.body.dataset.convertMs = result.ms.toFixed(2);
}

function renderServices(result: ConvertResponse): void {
  if (JSON.stringify(result.services) !== JSON.stringify(page.services)) {
    page.services = result.services;
    serviceList.replaceChildren(...result.services.map(serviceItem));
  }
  // What the selection asks for (convert()'s reading of it), also when the file is refused.
  const supported = new Set(page.services.filter((s) => s.supported).map((s) => s.name));
  const ticked = page.mode === 'all' ? () => true : page.mode === 'supported' ? (name: string) => supported.has(name) : (name: string) => page.ticked.has(name);
  for (const box of serviceList.querySelectorAll<HTMLInputElement>('input[type=checkbox]')) box.checked = ticked(box.value);
  for (const [mode, button] of Object.entries(shortcuts)) button.setAttribute('aria-pressed', String(page.mode === mode));
  skipped.hidden = result.skippedUntested.length === 0;
  skipped.textContent = `Left out by Supported, as LinuxServer has not tested them read-only: ${result.skippedUntested.join(', ')}. Tick them to convert them anyway.`;
}

function serviceItem(service: ServiceInfo, index: number): HTMLLIElement {
  const item = document.createElement('li');
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.id = `service-${index}`;
  box.value = service.name;
  box.setAttribute('aria-describedby', `service-${index}-facts`);
  const label = document.createElement('label');
  label.htmlFor = box.id;
  label.textContent = service.name;
  const facts = document.createElement('span');
  facts.className = 'service-facts';
  facts.id = `service-${index}-facts`;
  facts.textContent = `${service.image ?? 'no image'} (line ${service.line}): ${service.knowledge}`;
  item.append(box, ' ', label, facts);
  return item;
}

function renderError(error: PageError | null): void {
  errorBox.replaceChildren();
  if (!error) return;
  const where = error.line === null ? '' : `Line ${error.line}${error.column === null ? '' : `, column ${error.column}`}: `;
  const message = document.createElement('p');
  message.textContent = `${where}${error.message}`;
  errorBox.append(message);
  if (error.line !== null) errorBox.append(lineButton(error.line, `Show line ${error.line}`));
}

function renderDiff(result: ConvertResponse): void {
  const lines = result.diff === '' ? [] : result.diff.replace(/\n$/, '').split('\n');
  diffView.replaceChildren(...lines.map(diffLine));
  const converted = result.selected.length;
  diffSummary.textContent =
    result.output === null
      ? 'No converted file: the file was refused (see the message above).'
      : converted === 0
        ? page.mode === 'supported'
          ? 'No service selected: none is a LinuxServer image that declares read-only support. Tick the services to convert.'
          : 'No service selected.'
        : `${converted} service${converted === 1 ? '' : 's'} selected; ${result.changed ? 'the diff below is what changes' : 'nothing to change (already converted)'}; ${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}.`;
}

function diffLine(line: string): HTMLSpanElement {
  const span = document.createElement('span');
  span.textContent = line;
  span.className = /^(---|\+\+\+) /.test(line) ? 'file' : line.startsWith('@@') ? 'hunk' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : '';
  return span;
}

/** A warning as the CLI prints it, without the file name. */
function warningText(w: PageWarning): string {
  return `${w.line === null ? '' : `line ${w.line}: `}service ${w.service}: ${w.message} [${w.code}]`;
}

function renderWarnings(warnings: readonly PageWarning[]): void {
  warningList.replaceChildren(
    ...warnings.map((w) => {
      const item = document.createElement('li');
      item.append(w.line === null ? warningText(w) : lineLink(w.line, warningText(w)));
      return item;
    }),
  );
}

/** A button that shows line `line` of the compose file. */
function lineButton(line: number, text: string): HTMLButtonElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = text;
  button.addEventListener('click', () => showLine(line));
  return button;
}

/** A link to line `line` of the compose file: warnings are links, so they read as places, not commands. */
function lineLink(line: number, text: string): HTMLAnchorElement {
  const link = document.createElement('a');
  link.href = '#compose';
  link.textContent = text;
  link.addEventListener('click', (event) => {
    event.preventDefault();
    showLine(line);
  });
  return link;
}

/** Selects line `line` (1-based) in the text area, scrolled into view, and moves the focus there. */
function showLine(line: number): void {
  const value = compose.value;
  let start = 0;
  for (let n = 1; n < line; n++) {
    const next = value.indexOf('\n', start);
    if (next < 0) break;
    start = next + 1;
  }
  const end = value.indexOf('\n', start);
  compose.focus();
  compose.setSelectionRange(start, end < 0 ? value.length : end);
  const lineHeight = parseFloat(getComputedStyle(compose).lineHeight) || 18;
  compose.scrollTop = Math.max(0, (line - 3) * lineHeight);
}

// --- Input ---
function loadText(text: string, fileName: string): void {
  page.text = text;
  page.fileName = fileName;
  page.lineBreak = /\r\n/.test(text) && !/(^|[^\r])\n/.test(text) ? '\r\n' : '\n';
  compose.value = text;
  update();
}

async function loadFile(file: File): Promise<void> {
  try {
    // The CLI's decoding: a byte-order mark and every line ending kept, invalid UTF-8 refused.
    loadText(decodeText(new Uint8Array(await file.arrayBuffer())), file.name);
  } catch (error) {
    renderError(asConvertError(error));
    diffSummary.textContent = `${file.name} was not loaded.`;
  }
}

function applyInput(input: PageInput): void {
  page.mode = input.mode;
  page.ticked = new Set(input.services);
  keepEnv.value = input.keepEnv.join(', ');
  stripEnv.value = input.stripEnv.join(', ');
  strict.checked = input.strict;
  loadText(input.text, 'compose.yml');
}

compose.addEventListener('input', () => {
  page.text = page.lineBreak === '\n' ? compose.value : compose.value.replace(/\n/g, page.lineBreak);
  update();
});
compose.addEventListener('dragover', (event) => {
  event.preventDefault();
  compose.classList.add('dragging');
});
compose.addEventListener('dragleave', () => compose.classList.remove('dragging'));
compose.addEventListener('drop', (event) => {
  const file = event.dataTransfer?.files[0];
  compose.classList.remove('dragging');
  if (!file) return;
  event.preventDefault();
  void loadFile(file);
});
openFile.addEventListener('change', () => {
  const file = openFile.files?.[0];
  if (file) void loadFile(file);
  openFile.value = '';
});

serviceList.addEventListener('change', () => {
  page.mode = 'services';
  page.ticked = new Set([...serviceList.querySelectorAll<HTMLInputElement>('input:checked')].map((box) => box.value));
  update();
});
const choose = (mode: SelectionMode) => () => {
  page.mode = mode;
  page.ticked.clear();
  update();
};
shortcuts.all.addEventListener('click', choose('all'));
shortcuts.supported.addEventListener('click', choose('supported'));
byId('select-none').addEventListener('click', choose('services'));
for (const input of [keepEnv, stripEnv]) input.addEventListener('input', update);
strict.addEventListener('change', update);

// --- Output ---
copyButton.addEventListener('click', async () => {
  const output = page.result?.output;
  if (output == null) return;
  try {
    await navigator.clipboard.writeText(output);
    actionStatus.textContent = 'Converted file copied to the clipboard.';
  } catch (error) {
    actionStatus.textContent = `Could not copy (${(error as Error).message}); use Download converted file instead.`;
  }
});

downloadButton.addEventListener('click', () => {
  const output = page.result?.output;
  if (output == null) return;
  const url = URL.createObjectURL(new Blob([output], { type: 'application/yaml' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = page.fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  actionStatus.textContent = `Converted file saved as ${page.fileName} (by your browser; nothing was sent anywhere).`;
});

byId('share').addEventListener('click', async () => {
  const link = `${location.href.replace(/#.*$/, '')}#${await shareFragment(currentInput())}`;
  shareBox.hidden = false;
  shareLink.value = link;
  shareLink.focus();
  shareLink.select();
  try {
    await navigator.clipboard.writeText(link);
    actionStatus.textContent = 'Share link copied to the clipboard; secret-looking values are masked in it.';
  } catch {
    actionStatus.textContent = 'Share link made (select it and copy it); secret-looking values are masked in it.';
  }
});

// --- Start: a share link's input, or the sample ---
async function start(): Promise<void> {
  const shared = location.hash ? await readFragment(location.hash) : null;
  if (shared) applyInput(shared);
  else loadText(SAMPLE_COMPOSE, 'compose.yml');
}
window.addEventListener('hashchange', async () => {
  const shared = await readFragment(location.hash);
  if (shared) applyInput(shared);
});
void start();
