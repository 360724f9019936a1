/**
 * The page's conversion worker: the library's convert(), the same as the CLI's, off the main
 * thread so that typing in a large file never waits for a conversion.
 */
import { convert, strictRefusal } from '../../src/convert.js';
import type { ConvertOptions } from '../../src/convert.js';
import { asConvertError } from '../../src/parse/errors.js';
import { parseCompose } from '../../src/parse/parse.js';
import { locateServices } from '../../src/model/locate.js';
import type { ConvertRequest, ConvertResponse, PageError, ServiceInfo } from './protocol.js';
import { serviceInfo } from './service-info.js';

/** The worker's global scope, as much of it as is used (the DOM library types `self` as a window). */
const scope = self as unknown as { onmessage: ((event: MessageEvent<ConvertRequest>) => void) | null; postMessage(message: ConvertResponse): void };

// The list of services changes with the text only, not with the selection or the options.
let listed: { text: string; services: ServiceInfo[] } = { text: '', services: [] };

scope.onmessage = ({ data: request }) => {
  const started = performance.now();
  const response: ConvertResponse = { id: request.id, services: [], output: null, changed: false, diff: '', selected: [], warnings: [], skippedUntested: [], error: null, ms: 0 };
  try {
    response.services = servicesOf(request.text);
    // The options the CLI builds from its flags (the page is its standard input: no files beside it).
    const options: ConvertOptions = { path: 'compose.yml', keepEnv: request.keepEnv, stripEnv: request.stripEnv };
    if (request.mode === 'all') options.all = true;
    else if (request.mode === 'supported') options.supported = true;
    else options.services = request.services;
    const result = convert(request.text, options);
    response.selected = result.services.map((s) => s.name);
    response.warnings = result.services.flatMap((s) => s.warnings.map((w) => ({ service: s.name, code: w.code, message: w.message, line: w.line ?? null })));
    response.skippedUntested = result.skippedUntested;
    const refusal = request.strict ? strictRefusal(result) : null;
    if (refusal) throw refusal;
    response.output = result.output;
    response.changed = result.changed;
    response.diff = result.diff;
  } catch (error) {
    response.error = pageError(error);
  }
  response.ms = performance.now() - started;
  scope.postMessage(response);
};

function servicesOf(text: string): ServiceInfo[] {
  if (listed.text !== text) {
    listed = { text, services: [] };
    const parsed = parseCompose(text);
    listed.services = locateServices(parsed).map((s) => serviceInfo(s, parsed.layout.position(s.key.range?.[0] ?? 0).line));
  }
  return listed.services;
}

function pageError(error: unknown): PageError {
  const { code, message, line, column } = asConvertError(error);
  return { code, message, line, column };
}
