/**
 * The compose files that `extends: {file}` names. The caller reads them and joins their paths:
 * the engine touches no files and no file system paths (it also runs in a browser).
 */
export interface ComposeFileReader {
  /**
   * A file's text by its path relative to the converted file's directory (or absolute); null
   * when it is missing or unreadable; undefined when it cannot be looked up (a variable in the path).
   */
  read(path: string): string | null | undefined;
  /** Where `path`, written in the other compose file `from`, points: relative to `from`'s directory, as Compose reads it. */
  resolve(from: string, path: string): string;
}

/** A service of another file by that file's path (relative to the converted file's directory) and its name. */
export type ServiceOfFile<V> = (file: string, service: string) => V | null;

/**
 * Views of the services of other files, each file read and built once (per conversion). `build`
 * makes a file's views from its text, given where its own `extends: {file}` paths point; a file
 * reached again while it is being built (a cycle across files) gives no service.
 */
export function servicesOfFiles<V>(reader: ComposeFileReader | undefined, build: (text: string, file: string, nested: ServiceOfFile<V>) => ReadonlyMap<string, V> | null): ServiceOfFile<V> {
  // Made on first use: most files extend nothing in another file.
  let files: Map<string, ReadonlyMap<string, V> | null> | undefined;
  const serviceOf: ServiceOfFile<V> = (file, service) => {
    if (!reader) return null;
    files ??= new Map();
    let views = files.get(file);
    if (views === undefined) {
      files.set(file, null);
      const text = reader.read(file);
      views = text ? build(text, file, (path, name) => serviceOf(reader.resolve(file, path), name)) : null;
      files.set(file, views);
    }
    return views?.get(service) ?? null;
  };
  return serviceOf;
}
