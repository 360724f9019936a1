import { dirname, isAbsolute, join } from 'node:path';

/**
 * Reads a compose file that `extends: {file}` names, the path relative to the converted file's
 * directory (or absolute): its text; null when it is missing or unreadable; undefined when it
 * cannot be looked up (a variable in the path). The caller reads: the engine touches no files.
 */
export type ReadComposeFile = (path: string) => string | null | undefined;

/** A service of another file by that file's path (relative to the converted file's directory) and its name. */
export type ServiceOfFile<V> = (file: string, service: string) => V | null;

/**
 * Views of the services of other files, each file read and built once (per conversion). `build`
 * makes a file's views from its text, given where its own `extends: {file}` paths point; a file
 * reached again while it is being built (a cycle across files) gives no service.
 */
export function servicesOfFiles<V>(read: ReadComposeFile | undefined, build: (text: string, file: string, nested: ServiceOfFile<V>) => ReadonlyMap<string, V> | null): ServiceOfFile<V> {
  // Made on first use: most files extend nothing in another file.
  let files: Map<string, ReadonlyMap<string, V> | null> | undefined;
  const serviceOf: ServiceOfFile<V> = (file, service) => {
    if (!read) return null;
    files ??= new Map();
    let views = files.get(file);
    if (views === undefined) {
      files.set(file, null);
      const text = read(file);
      // A path in another file is relative to that file's directory, as Compose reads it.
      views = text ? build(text, file, (path, name) => serviceOf(isAbsolute(path) ? path : join(dirname(file), path), name)) : null;
      files.set(file, views);
    }
    return views?.get(service) ?? null;
  };
  return serviceOf;
}
