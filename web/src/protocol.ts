/** The messages between the page (app.ts) and its conversion worker (worker.ts): plain data. */

/** Which services to convert: the CLI's `--all`, `--supported`, or `--service` names. */
export type SelectionMode = 'all' | 'supported' | 'services';

/** The page's input: the text and the options the CLI would be given for it. */
export interface PageInput {
  text: string;
  mode: SelectionMode;
  /** The names ticked, for `services` mode. */
  services: string[];
  keepEnv: string[];
  stripEnv: string[];
  strict: boolean;
}

export interface ConvertRequest extends PageInput {
  id: number;
}

/** One service of the file, as the list of check boxes shows it. */
export interface ServiceInfo {
  name: string;
  line: number;
  image: string | null;
  /** What ro-convert knows about the image, in words. */
  knowledge: string;
  /** LinuxServer declares read-only support for it: `--supported` selects it. */
  supported: boolean;
}

/** A warning as the CLI prints it, without the file name. */
export interface PageWarning {
  service: string;
  code: string;
  message: string;
  line: number | null;
}

/** A refusal (`ConvertError`) as plain data. */
export interface PageError {
  code: string;
  message: string;
  line: number | null;
  column: number | null;
}

export interface ConvertResponse {
  id: number;
  /** Every service of the file; empty when the file could not be read. */
  services: ServiceInfo[];
  /** The converted text; null when refused. */
  output: string | null;
  changed: boolean;
  diff: string;
  selected: string[];
  warnings: PageWarning[];
  skippedUntested: string[];
  error: PageError | null;
  /** Time the conversion took in the worker, in ms. */
  ms: number;
}
